/**
 * Wire types of the event stream: event names and payloads. No transport here.
 * Every event carries one increasing id (see EventBus).
 */
import type { GalleryChanged } from "../gallery/types.ts";
import type { ItemUpdated, PersistenceState } from "../labels/events.ts";

export type { GalleryChanged, ItemUpdated, PersistenceState };

export const EventName = {
  itemUpdated: "item-updated",
  metricsUpdated: "metrics-updated",
  presence: "presence",
  persistence: "persistence",
  resyncRequired: "resync-required",
  galleryChanged: "gallery-changed",
  viewsChanged: "views-changed",
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];

export interface MetricsUpdated {
  /** Items whose metrics changed, up to a cap; `truncated` says more changed. */
  items: { path: string; version: number; metrics: Record<string, number> }[];
  count: number;
  truncated: boolean;
}

/** The saved views changed (D20): the page's Views section fetches GET /views again. */
export interface ViewsChanged {
  count: number;
  /** The view saved or replaced. */
  name: string;
}

export interface PresenceCounts {
  gallery_id: string;
  /** People (browser profiles) in the scope; `sessions` counts their tabs. */
  viewing: number;
  editing: number;
  names: string[];
  sessions: number;
}

export interface ResyncRequired {
  /**
   * too_old: the ring no longer holds what the client missed; restart: it was
   * issued before a restart and the seeded ring does not cover it; future: never
   * issued; invalid: not an id; no_id: the client named none, so its state is
   * unknown; backlog: reserved for a client told after falling behind.
   */
  reason: "too_old" | "future" | "restart" | "backlog" | "invalid" | "no_id";
  /** The stream's current last id: where the client stands once it has re-fetched. */
  last_event_id: number;
}

export type LiveEvent =
  | { type: typeof EventName.itemUpdated; data: ItemUpdated }
  | { type: typeof EventName.metricsUpdated; data: MetricsUpdated }
  | { type: typeof EventName.presence; data: PresenceCounts }
  | { type: typeof EventName.persistence; data: PersistenceState }
  | { type: typeof EventName.resyncRequired; data: ResyncRequired }
  | { type: typeof EventName.galleryChanged; data: GalleryChanged }
  | { type: typeof EventName.viewsChanged; data: ViewsChanged };

export interface Envelope {
  id: number;
  event: LiveEvent;
  /** A per-process event (EventBus.publishLocal): framed without an id, never replayed. */
  local?: true;
}
