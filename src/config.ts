/**
 * Runtime configuration: one zod schema, filled from the CLI (src/cli.ts) or by tests.
 */
import { z } from "zod";
import { AccessMode } from "./access/mode.ts";
import { DEFAULT_MAX_SESSIONS } from "./presence/tracker.ts";

export const Durability = z.enum(["strict", "relaxed"]);
export type Durability = z.infer<typeof Durability>;

export const Config = z.object({
  /** Absolute path of the image folder being served. */
  root: z.string(),
  /** Absolute path of the workspace folder (labels journal, caches). */
  workspace: z.string(),
  /** True when labels and caches may be written to the workspace. */
  canWrite: z.boolean(),
  /** Why the workspace is not writable or was moved, shown to users. */
  workspaceNotice: z.string().nullable().default(null),
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(7070),
  thumbSize: z.number().int().min(32).max(2048).default(256),
  thumbQuality: z.number().int().min(1).max(100).default(70),
  /** Bytes of WebP thumbnails kept in the workspace cache before the oldest are evicted. */
  thumbCacheBytes: z
    .number()
    .int()
    .min(0)
    .default(512 * 1024 * 1024),
  durability: Durability.default("strict"),
  /** Lifts the loopback-only write rule (src/routes/origin-guard.ts): true unless access is "local". */
  allowRemoteWrites: z.boolean().default(false),
  /** Extra names a request's Host may carry (`--allowed-host`; `*.example.com` for its subdomains). */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /** Who may come in: see src/access/mode.ts. "token" puts every route behind src/routes/access-guard.ts. */
  access: AccessMode.default("local"),
  /** PEM files: serve HTTPS directly (session cookies are then Secure). */
  tlsCert: z.string().nullable().default(null),
  tlsKey: z.string().nullable().default(null),
  /** Replay ring size of the event stream. */
  eventBuffer: z.number().int().min(16).max(1_000_000).default(2000),
  viewTtlMs: z.number().int().min(1000).default(75_000),
  editTtlMs: z.number().int().min(1000).default(60_000),
  pruneIntervalMs: z.number().int().min(100).default(5_000),
  maxSessions: z.number().int().min(1).default(DEFAULT_MAX_SESSIONS),
  /** Follow files added, removed or rewritten while running. */
  watch: z.boolean().default(true),
  presenceLifecycleV2: z.boolean().default(true),
  /** XMP: `read` seeds labels of unlabelled images from XMP; `write` also keeps sidecars in step; `off` neither. */
  xmp: z.enum(["off", "read", "write"]).default("read"),
  /** Sidecar name: `ext` = image.jpg.xmp (digiKam, darktable), `base` = image.xmp (Lightroom, Capture One). */
  xmpStyle: z.enum(["ext", "base"]).default("ext"),
  /** `--redis URL`: labels, events and presence shared through Redis (several processes); null = this process alone. */
  redisUrl: z.string().nullable().default(null),
  /** The gallery's name in Redis. */
  redisGallery: z.string().nullable().default(null),
  redisWeakDurability: z.boolean().default(false),
  /** True for the built-in demo gallery. */
  demo: z.boolean().default(false),
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
