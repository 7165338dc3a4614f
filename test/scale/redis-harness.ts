/**
 * The label contract's harness on Redis: a RedisLabelStore and SharedEventLog
 * on the test's own redis-server, reached through a TCP proxy so a test can
 * cut the link (breakStorage) and restore it. `dir` is the gallery's name in
 * Redis: passing it back reopens the same labels, as a restart would.
 */
import { RedisLabelStore } from "../../src/labels/redis-store.ts";
import type { Envelope } from "../../src/live/protocol.ts";
import { SharedEventLog } from "../../src/live/shared-log.ts";
import { Redis } from "../../src/redis/client.ts";
import { galleryKeys } from "../../src/redis/keys.ts";
import { itemRoutes } from "../../src/routes/items.ts";
import type { TestRedis } from "../helpers/redis-server.ts";
import { startTcpProxy } from "../helpers/tcp-proxy.ts";
import {
  CapturingLog,
  GALLERY_PATHS,
  type Harness,
  type HarnessOptions,
  StubGallery,
  until,
} from "../labels/helpers.ts";

let galleries = 0;

export function redisHarness(server: () => TestRedis) {
  return async (opts: HarnessOptions = {}): Promise<Harness<RedisLabelStore>> => {
    const log = new CapturingLog();
    const gallery =
      typeof opts.dir === "string"
        ? opts.dir
        : `contract-${process.pid}-${++galleries}-${Date.now()}`;
    const keys = galleryKeys(gallery);
    const proxy = startTcpProxy([server().port]);
    const url = `redis://127.0.0.1:${proxy.port}`;
    const redis = await Redis.connect(url, { commandTimeoutMs: 1_000 });
    const direct = await Redis.connect(server().url);
    let store: RedisLabelStore | null = null;
    const shared = await SharedEventLog.open({
      redis,
      reader: await redis.duplicate(),
      keys,
      capacity: 1000,
      log,
      onRecord: (rec) => store?.applyRemote(rec),
      onReload: async () => store?.reload(),
    });
    store = await RedisLabelStore.open({
      redis,
      keys,
      log,
      persistence: "saved",
      streamMaxLen: 1000,
      now: opts.now,
      idempotencyTtlMs: opts.idempotencyTtlMs,
      idempotencyBudgetBytes: opts.idempotencyBudgetBytes,
      changeFeed: opts.changeFeed,
      ensureEpoch: () => shared.ensureEpoch(),
    });
    const s = store;
    const metrics: Harness["metrics"] = [];
    s.attach({
      onMetricsChanged: (path, version, m) => metrics.push({ path, version, metrics: m }),
    });
    const events: Envelope[] = [];
    shared.bus.onEvent((env) => events.push(env));
    shared.start();
    const touches: Harness["touches"] = [];
    const app = itemRoutes({
      config: { allowRemoteWrites: opts.allowRemoteWrites ?? false },
      gallery: new StubGallery(opts.paths ?? GALLERY_PATHS),
      labels: s,
      presence: { touchEdit: (clientId, galleryId) => void touches.push([clientId, galleryId]) },
      log,
    });
    return {
      kind: "redis",
      dir: gallery,
      store: s,
      bus: shared.bus,
      app,
      log,
      events,
      metrics,
      touches,
      async settle() {
        const seq = Number((await direct.send("GET", [keys.seq])) ?? 0);
        await until(() => shared.bus.lastId >= seq, 5000, `events up to ${seq}`);
      },
      breakStorage: () => proxy.cut(),
      async healStorage() {
        proxy.heal();
        await until(() => redis.connected, 10_000, "Redis link back");
      },
      async health() {
        await s.refreshStats();
        return s.health();
      },
      async close() {
        await s.close();
        await shared.stop();
        redis.close();
        direct.close();
        proxy.close();
      },
    };
  };
}
