/**
 * GET /events: the event names and their payload schemas. The payload types
 * live in src/live/protocol.ts; the zod schemas here must infer exactly those
 * types (checked below at compile time), so the document cannot drift.
 */
import { z } from "zod";
import { ChangedField, Color, Flag } from "../../labels/schema.ts";
import type {
  GalleryChanged,
  ItemUpdated,
  MetricsUpdated,
  PersistenceState,
  PresenceCounts,
  ResyncRequired,
  ViewsChanged,
} from "../../live/protocol.ts";
import { EventName } from "../../live/protocol.ts";
import { type ApiPart, jsonSchema, queryParameters, ref } from "./common.ts";
import type { PresenceCounts as PresenceCountsSchema } from "./presence.ts";

const Metrics = z.record(z.string(), z.number());

export const ItemUpdatedSchema = z.object({
  path: z.string(),
  version: z.number().int(),
  star: z.number().int().nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  metrics: Metrics,
  flag: Flag.nullable(),
  color: Color.nullable(),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
  client_id: z.string().nullable(),
  changed_fields: z.array(ChangedField),
});
export const MetricsUpdatedSchema = z.object({
  items: z.array(z.object({ path: z.string(), version: z.number().int(), metrics: Metrics })),
  count: z.number().int(),
  truncated: z.boolean(),
});
export const PersistenceStateSchema = z.object({
  state: z.enum(["saved", "failed", "disabled"]),
  durability: z.enum(["strict", "relaxed", "memory"]),
  last_error: z.string().nullable(),
});
export const ResyncRequiredSchema = z.object({
  reason: z.enum(["too_old", "future", "restart", "backlog", "invalid", "no_id"]),
  last_event_id: z.number().int(),
});
export const GalleryChangedSchema = z.object({
  folders: z.array(z.string()),
  tree: z.array(z.string()),
  gone: z.array(z.string()),
  added: z.number().int(),
  removed: z.number().int(),
  modified: z.array(z.string()),
  totals: z.record(z.string(), z.number().int()),
});

export const ViewsChangedSchema = z.object({ count: z.number().int(), name: z.string() });

/** Compile-time: the schema infers exactly the protocol type (either side drifting fails tsc). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <_T extends true>() => {};
same<Same<z.infer<typeof ItemUpdatedSchema>, ItemUpdated>>();
same<Same<z.infer<typeof MetricsUpdatedSchema>, MetricsUpdated>>();
same<Same<z.infer<typeof PersistenceStateSchema>, PersistenceState>>();
same<Same<z.infer<typeof ResyncRequiredSchema>, ResyncRequired>>();
same<Same<z.infer<typeof GalleryChangedSchema>, GalleryChanged>>();
same<Same<z.infer<typeof PresenceCountsSchema>, PresenceCounts>>();
same<Same<z.infer<typeof ViewsChangedSchema>, ViewsChanged>>();

/** Event name → the component schema of its `data:` line. */
const PAYLOADS: Record<EventName, string> = {
  [EventName.itemUpdated]: "ItemUpdatedEvent",
  [EventName.metricsUpdated]: "MetricsUpdatedEvent",
  [EventName.presence]: "PresenceCounts",
  [EventName.persistence]: "PersistenceEvent",
  [EventName.resyncRequired]: "ResyncRequiredEvent",
  [EventName.galleryChanged]: "GalleryChangedEvent",
  [EventName.viewsChanged]: "ViewsChangedEvent",
};

const LastEventIdQuery = z.object({
  last_event_id: z
    .string()
    .optional()
    .describe("Resume after this id when the Last-Event-ID header cannot be set"),
});

export const eventsApi = (): ApiPart => ({
  schemas: {
    ItemUpdatedEvent: jsonSchema(ItemUpdatedSchema),
    MetricsUpdatedEvent: jsonSchema(MetricsUpdatedSchema),
    PersistenceEvent: jsonSchema(PersistenceStateSchema),
    ResyncRequiredEvent: jsonSchema(ResyncRequiredSchema),
    GalleryChangedEvent: jsonSchema(GalleryChangedSchema),
    ViewsChangedEvent: jsonSchema(ViewsChangedSchema),
  },
  paths: {
    "/events": {
      get: {
        summary: "The live event stream (Server-Sent Events)",
        description: `Frames: \`id: <n>\`, \`event: <name>\`, \`data: <JSON>\`; ids strictly increase. On connect: a \`retry:\` hint and a \`: hello last_event_id=… boot_id=…\` comment, then the events after Last-Event-ID (or one \`resync-required\`), then live events and a \`: ping\` comment every 15 s. Events and the schema of their data: ${Object.entries(
          PAYLOADS,
        )
          .map(([name, schema]) => `\`${name}\` → ${schema}`)
          .join(", ")} (see x-lenslet-events).`,
        parameters: [
          {
            name: "Last-Event-ID",
            in: "header",
            required: false,
            description: "The last id this client saw: the stream replays what came after it",
            schema: { type: "string" },
          },
          ...queryParameters(LastEventIdQuery),
        ],
        "x-lenslet-events": Object.fromEntries(
          Object.entries(PAYLOADS).map(([name, schema]) => [name, ref(schema)]),
        ),
        responses: {
          "200": {
            description: "text/event-stream frames, one per event",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
        },
      },
    },
  },
});
