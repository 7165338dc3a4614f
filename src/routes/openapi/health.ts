/**
 * GET /health: its response schema (the route is typed by it, so the two
 * cannot drift) and its part of the OpenAPI document.
 */

import { z } from "zod";
import { DatasetHealth } from "../../dataset/dataset.ts";
import { LabelsHealth } from "../../labels/schema.ts";
import { BackendHealth } from "../../redis/backend-health.ts";
import { type ApiPart, jsonSchema, ref } from "./common.ts";
import { HashesHealth, XmpHealth } from "./culling.ts";

export const EventStreamHealth = z.object({
  connected: z.number().int(),
  buffer_capacity: z.number().int(),
  buffered: z.number().int(),
  oldest_id: z.number().int().nullable(),
  last_id: z.number().int(),
  boot_id: z.number().int(),
  replay_miss_total: z.number().int(),
  backlog_drops_total: z.number().int(),
  resync_total: z.record(z.string(), z.number().int()),
});

export const PresenceDiagnostics = z.object({
  view_ttl: z.number().describe("seconds"),
  edit_ttl: z.number().describe("seconds"),
  prune_interval: z.number().describe("seconds"),
  lifecycle_v2_enabled: z.boolean(),
  active_clients: z.number().int(),
  active_scopes: z.number().int(),
  stale_pruned_total: z.number().int(),
  invalid_lease_total: z.number().int(),
  scope_mismatch_total: z.number().int(),
  max_sessions: z.number().int(),
  presence_full_total: z.number().int(),
  replay_miss_total: z.number().int(),
  connected_sse_clients: z.number().int(),
  replay_buffer: z.object({
    size: z.number().int(),
    capacity: z.number().int(),
    oldest_id: z.number().int().nullable(),
    newest_id: z.number().int(),
  }),
});

export const ThumbnailStats = z.object({
  hits: z.number().int(),
  memoryHits: z.number().int(),
  misses: z.number().int(),
  generated: z.number().int(),
  failed: z.number().int(),
  busy: z.number().int(),
  inFlight: z.number().int(),
  queued: z.number().int(),
  cacheFiles: z.number().int(),
  cacheBytes: z.number().int(),
});

export const HealthResponse = z.object({
  ok: z.literal(true),
  version: z.string(),
  mode: z.enum(["demo", "folder", "table"]),
  root: z.string(),
  workspace: z.string(),
  can_write: z
    .boolean()
    .describe(
      "Whether a write sent like this request (its Origin or Referer, its peer address) would be accepted and kept on disk",
    ),
  write_refusal: z.string().nullable().describe("Why can_write is false (null when it is true)"),
  notice: z.string().nullable(),
  gallery: z.object({
    images: z.number().int(),
    folders: z.number().int(),
    indexed_ms: z.number().int(),
    stats_ready: z
      .boolean()
      .describe(
        "Every file's size and date is known (they are read in the background after start)",
      ),
    skipped: z
      .object({
        total: z.number().int(),
        by_reason: z.record(z.string(), z.number().int()),
        first: z.array(
          z.object({ path: z.string(), reason: z.string(), detail: z.string().optional() }),
        ),
      })
      .describe(
        "files and folders left out of the index, and why (G13: names sharing a canonical path)",
      ),
  }),
  dataset: DatasetHealth.nullable().describe(
    "the table served (`lenslet TABLE`), null for a folder",
  ),
  labels: LabelsHealth.extend({
    enabled: z
      .boolean()
      .describe("true when labels persist to the workspace; false under --no-write (memory only)"),
  }),
  backend: BackendHealth.describe(
    "where labels, events and presence live: this process (local) or Redis, with its round trip and stream length",
  ),
  events: EventStreamHealth,
  presence: PresenceDiagnostics,
  thumbnails: ThumbnailStats,
  xmp: XmpHealth.describe(
    "XMP sidecars: seeding labels from them, and keeping them in step (--xmp)",
  ),
  hashes: HashesHealth.describe(
    "the background job making perceptual hashes for bursts and duplicates",
  ),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

export const healthApi = (): ApiPart => ({
  schemas: {
    HealthResponse: jsonSchema(HealthResponse),
    PresenceDiagnostics: jsonSchema(PresenceDiagnostics),
    LiveResponse: jsonSchema(z.object({ ok: z.literal(true) })),
  },
  paths: {
    "/health/live": {
      get: {
        summary: "Liveness for an uptime probe: public, answers `{ok: true}` and nothing else",
        responses: {
          "200": {
            description: "The server answers",
            content: { "application/json": { schema: ref("LiveResponse") } },
          },
        },
      },
    },
    "/health": {
      get: {
        summary: "What an operator (or the page) needs to know at a glance",
        description:
          "`can_write` answers for the request that asks: false (with `write_refusal`) for a page on another origin or host, a remote peer (without --allow-remote-writes), a role that may not label (a viewer, access control on) or a memory-only workspace.",
        responses: {
          "200": {
            description: "Health",
            content: { "application/json": { schema: ref("HealthResponse") } },
          },
        },
      },
    },
  },
});
