/**
 * Can this Redis keep "acknowledged means durable"? Redis answers a write
 * after it reached its append-only file; only with `appendonly yes` and
 * `appendfsync always` is that file fsync'd before the answer (Redis 7 writes
 * replies after the fsync of the event loop's batch: group commit). Weaker:
 * `everysec` loses up to a second of acknowledged writes on a power cut or a
 * kernel crash (not on a Redis crash alone); `no` leaves it to the kernel
 * (≈30 s); without the AOF only RDB snapshots remain (minutes).
 */
import type { Redis } from "./client.ts";

export type RedisDurability =
  | { ok: true; persistence: "saved" }
  | { ok: false; persistence: "relaxed"; problem: string };

/** Pure: the verdict on a server's `appendonly` and `appendfsync` (null when CONFIG is not allowed). */
export function judgeDurability(
  appendonly: string | null,
  appendfsync: string | null,
): RedisDurability {
  if (appendonly === null || appendfsync === null) {
    return {
      ok: false,
      persistence: "relaxed",
      problem:
        "the server does not let Lenslet read its settings (CONFIG GET is disabled): it cannot tell whether acknowledged writes are fsync'd",
    };
  }
  if (appendonly !== "yes") {
    return {
      ok: false,
      persistence: "relaxed",
      problem: `appendonly is ${appendonly}: acknowledged writes live in memory until the next RDB snapshot (minutes of writes lost on a crash)`,
    };
  }
  if (appendfsync !== "always") {
    return {
      ok: false,
      persistence: "relaxed",
      problem: `appendfsync is ${appendfsync}: acknowledged writes reach the disk ${appendfsync === "everysec" ? "within a second" : "when the kernel decides"}, so a power cut or kernel crash loses them`,
    };
  }
  return { ok: true, persistence: "saved" };
}

/** Asks the server (CONFIG GET) and judges its answer. */
export async function checkDurability(redis: Redis): Promise<RedisDurability> {
  const get = async (name: string): Promise<string | null> => {
    try {
      const v = (await redis.send("CONFIG", ["GET", name])) as Record<string, string> | string[];
      if (Array.isArray(v)) return v[1] ?? null;
      return v?.[name] ?? null;
    } catch {
      return null;
    }
  };
  return judgeDurability(await get("appendonly"), await get("appendfsync"));
}
