/**
 * `lenslet migrate DIR --to-redis URL` moves a workspace's labels (its journal
 * and snapshot) into a gallery in Redis; `--from-redis URL` moves them back.
 * Records keep their versions, authors and times; event ids go on above the
 * ones pages have seen. Runs with no Lenslet serving the workspace (it takes the
 * workspace lock), refuses a target that already holds labels, and after a move
 * into Redis renames the local files (`*.migrated-<time>`) so a later start
 * without --redis cannot serve stale labels. Idempotency answers are not moved:
 * a retry of a write from before the move may apply again (tag adds and metric
 * sets are unchanged by that; a versioned patch then gets 409).
 */
import fs from "node:fs";
import type { Logger } from "./core/logger.ts";
import { parseRecord } from "./labels/record-json.ts";
import { JOURNAL_FILE, SNAPSHOT_FILE } from "./labels/recovery.ts";
import { LabelStore } from "./labels/store.ts";
import { EventBus } from "./live/bus.ts";
import { Redis, safeUrl } from "./redis/client.ts";
import { checkDurability } from "./redis/durability.ts";
import { galleryKeys } from "./redis/keys.ts";
import { ensureEpochScript } from "./redis/stream-lua.ts";
import { defaultGalleryName } from "./scale-out.ts";
import { acquireWorkspaceLock } from "./workspace/lock.ts";

export interface MigrateOptions {
  root: string;
  workspace: string;
  direction: "to-redis" | "from-redis";
  url: string;
  gallery?: string;
  log: Logger;
}

export interface MigrateResult {
  records: number;
  gallery: string;
}

export class MigrateError extends Error {
  override name = "MigrateError";
}

const BATCH = 500;

export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const lock = acquireWorkspaceLock(opts.workspace);
  if (!lock.ok) throw new MigrateError(lock.message);
  let redis: Redis | null = null;
  try {
    redis = await Redis.connect(opts.url).catch((err: Error) => {
      throw new MigrateError(err.message);
    });
    const keys = galleryKeys(opts.gallery ?? defaultGalleryName(opts.root));
    const store = await LabelStore.open({
      dir: opts.workspace,
      mode: "strict",
      log: opts.log,
    });
    const bus = new EventBus({ capacity: 16, firstId: store.firstEventId() });
    store.attach(bus);
    const inRedis = Number(await redis.send("HLEN", [keys.records]));
    let moved = 0;
    if (opts.direction === "to-redis") {
      const verdict = await checkDurability(redis);
      if (!verdict.ok) opts.log.warn(`Redis at ${safeUrl(opts.url)}: ${verdict.problem}`);
      if (inRedis > 0) {
        await store.close();
        throw new MigrateError(
          `the gallery ${keys.gallery} in Redis already holds ${inRedis} labelled items; choose another --redis-gallery, or move them back first`,
        );
      }
      const records = [...store.entries()].map(([, r]) => r);
      for (let i = 0; i < records.length; i += BATCH) {
        const chunk = records.slice(i, i + BATCH);
        const recArgs: string[] = [keys.records];
        const verArgs: string[] = [keys.versions];
        for (const r of chunk) {
          recArgs.push(r.path, JSON.stringify(r));
          verArgs.push(r.path, String(r.version));
        }
        await redis.send("HSET", recArgs);
        await redis.send("HSET", verArgs);
        moved += chunk.length;
      }
      // Ids go on above what the local process gave its pages.
      await ensureEpochScript.run(
        redis,
        [keys.epoch, keys.seq],
        [crypto.randomUUID().slice(0, 12), store.firstEventId()],
      );
      const seq = Number((await redis.send("GET", [keys.seq])) ?? 0);
      if (seq < store.firstEventId() - 1)
        await redis.send("SET", [keys.seq, store.firstEventId() - 1]);
      await store.close();
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      for (const f of [JOURNAL_FILE, SNAPSHOT_FILE]) {
        const p = `${opts.workspace}/${f}`;
        if (fs.existsSync(p)) fs.renameSync(p, `${p}.migrated-${stamp}`);
      }
    } else {
      const local = [...store.entries()].length;
      if (local > 0) {
        await store.close();
        throw new MigrateError(
          `the workspace ${opts.workspace} already holds ${local} labelled items; move them away first`,
        );
      }
      const records = [];
      let cursor = "0";
      do {
        const [next, flat] = (await redis.send("HSCAN", [keys.records, cursor, "COUNT", 2000])) as [
          string,
          string[],
        ];
        for (let i = 0; i + 1 < flat.length; i += 2) records.push(parseRecord(flat[i + 1]));
        cursor = String(next);
      } while (cursor !== "0");
      await store.importRecords(records);
      moved = records.length;
      await store.close();
    }
    return { records: moved, gallery: keys.gallery };
  } finally {
    redis?.close();
    lock.release();
  }
}
