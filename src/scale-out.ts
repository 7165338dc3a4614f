/**
 * `--redis URL`: builds what several Lenslet processes share for one gallery —
 * the label store, the event log with its bus, presence — on one Redis, after
 * checking that the server keeps acknowledged writes durable. What stays per
 * process: the gallery index and its watcher, thumbnails and dimensions
 * (caches), the SSE connections, access sessions' last-seen times in memory.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { basename } from "node:path";
import type { Config } from "./config.ts";
import type { Logger } from "./core/logger.ts";
import { RedisLabelStore } from "./labels/redis-store.ts";
import type { EventBus } from "./live/bus.ts";
import type { LiveEvent } from "./live/protocol.ts";
import { SharedEventLog } from "./live/shared-log.ts";
import { presentableCounts, RedisPresence } from "./presence/redis-presence.ts";
import type { BackendHealth } from "./redis/backend-health.ts";
import { Redis, safeUrl } from "./redis/client.ts";
import { checkDurability } from "./redis/durability.ts";
import { type GalleryKeys, galleryKeys } from "./redis/keys.ts";

export class SharedStartError extends Error {
  override name = "SharedStartError";
}

export interface SharedBackend {
  redis: Redis;
  keys: GalleryKeys;
  labels: RedisLabelStore;
  log: SharedEventLog;
  bus: EventBus;
  presence: RedisPresence;
  health(): Promise<BackendHealth>;
  stop(): Promise<void>;
}

/** The gallery's name in Redis: `--redis-gallery`, else the folder's name and a hash of its real path. */
export function defaultGalleryName(root: string): string {
  let real = root;
  try {
    real = fs.realpathSync(root);
  } catch {
    // The index would have failed first; keep the path as given.
  }
  const base =
    basename(real)
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 40) || "root";
  return `${base}-${createHash("sha256").update(real).digest("hex").slice(0, 12)}`;
}

export async function openShared(config: Config, log: Logger): Promise<SharedBackend> {
  const url = config.redisUrl as string;
  let redis: Redis;
  try {
    redis = await Redis.connect(url);
  } catch (err) {
    throw new SharedStartError((err as Error).message);
  }
  const verdict = await checkDurability(redis);
  if (!verdict.ok) {
    if (!config.redisWeakDurability) {
      redis.close();
      throw new SharedStartError(
        `Redis at ${safeUrl(url)} cannot keep acknowledged label writes durable: ${verdict.problem}. Run it with appendonly yes and appendfsync always (README "Running several processes"), or start with --redis-weak-durability to accept that risk`,
      );
    }
    log.warn(
      `!!! --redis-weak-durability: ${verdict.problem}. Writes answer persistence "relaxed": a crash of the Redis host can lose acknowledged labels. !!!`,
    );
  }
  const keys = galleryKeys(config.redisGallery ?? defaultGalleryName(config.root));
  const reader = await redis.duplicate();
  let labels: RedisLabelStore | null = null;
  const shared = await SharedEventLog.open({
    redis,
    reader,
    keys,
    capacity: config.eventBuffer,
    log,
    onRecord: (rec) => labels?.applyRemote(rec),
    onReload: async () => labels?.reload(),
    normalize: (event: LiveEvent): LiveEvent =>
      event.type === "presence" ? { ...event, data: presentableCounts(event.data) } : event,
  });
  labels = await RedisLabelStore.open({
    redis,
    keys,
    log,
    persistence: verdict.persistence,
    streamMaxLen: config.eventBuffer,
    ensureEpoch: () => shared.ensureEpoch(),
  });
  const presence = new RedisPresence({
    redis,
    keys,
    viewTtlMs: config.viewTtlMs,
    editTtlMs: config.editTtlMs,
    maxSessions: config.maxSessions,
    streamMaxLen: config.eventBuffer,
  });
  const store = labels;
  log.info(
    `Labels, events and presence are shared through Redis at ${safeUrl(url)} (gallery ${keys.gallery}); other Lenslet processes started with the same --redis serve the same gallery`,
  );
  return {
    redis,
    keys,
    labels: store,
    log: shared,
    bus: shared.bus,
    presence,
    async health() {
      let rtt: number | null = null;
      let length: number | null = null;
      try {
        rtt = Math.round((await redis.rtt()) * 1000) / 1000;
        length = await shared.length();
      } catch {
        // Reported as not connected.
      }
      await store.refreshStats();
      return {
        kind: "redis",
        redis: {
          url: safeUrl(url),
          gallery: keys.gallery,
          connected: rtt !== null && shared.readerConnected,
          rtt_ms: rtt,
          stream_length: length,
          epoch: shared.currentEpoch,
          durable: verdict.ok,
          durability_problem: verdict.ok ? null : verdict.problem,
        },
      };
    },
    async stop() {
      await store.close();
      await shared.stop();
      redis.close();
    },
  };
}
