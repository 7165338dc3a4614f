/**
 * The numbers an operator needs to see presence drift: served at
 * `GET /presence/diagnostics` and as the `presence` part of `/health`.
 */
import type { EventBus } from "../live/bus.ts";
import type { PresenceApi } from "./api.ts";
import type { TrackerStats } from "./tracker.ts";

/** Connected streams and replay misses; read from the bus unless a source is given. */
export interface StreamStatsView {
  connected: number;
  replayMissTotal: number;
}

export interface PresenceDiagnostics extends TrackerStats {
  /** Seconds, as given to `--view-ttl`. */
  view_ttl: number;
  /** Seconds, as given to `--edit-ttl`. */
  edit_ttl: number;
  /** Seconds, as given to `--prune-interval`. */
  prune_interval: number;
  /** Reconnects whose Last-Event-ID had left the replay ring. */
  replay_miss_total: number;
  connected_sse_clients: number;
  replay_buffer: {
    size: number;
    capacity: number;
    oldest_id: number | null;
    newest_id: number;
  };
}

export type StreamStatsSource = () => StreamStatsView;

export function presenceDiagnostics(
  deps: {
    presence: Pick<PresenceApi, "diagnostics" | "viewTtlMs" | "editTtlMs">;
    bus: Pick<EventBus, "stats">;
    config: { pruneIntervalMs: number };
  },
  streamStats?: StreamStatsSource,
): PresenceDiagnostics {
  const stats = deps.presence.diagnostics();
  const bus = deps.bus.stats();
  const stream = streamStats?.() ?? {
    connected: bus.subscribers,
    replayMissTotal: bus.replayMissTotal,
  };
  return {
    view_ttl: deps.presence.viewTtlMs / 1000,
    edit_ttl: deps.presence.editTtlMs / 1000,
    prune_interval: deps.config.pruneIntervalMs / 1000,
    ...stats,
    replay_miss_total: stream.replayMissTotal,
    connected_sse_clients: stream.connected,
    replay_buffer: {
      size: bus.size,
      capacity: bus.capacity,
      oldest_id: bus.oldestId,
      newest_id: bus.lastId,
    },
  };
}

/** The `presence` part of `/health`: the same numbers as the diagnostics route. */
export const presenceHealth = presenceDiagnostics;
