/**
 * R11: `lenslet migrate` moves a workspace's labels into Redis and back, with
 * their versions, through the real CLI; refuses a target that holds labels.
 */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { startRedis, type TestRedis } from "../helpers/redis-server.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { cleanupTempDirs, tempDir } from "../labels/helpers.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
let redis: TestRedis | null = null;
afterAll(async () => {
  await redis?.dispose();
  cleanupTempDirs();
});

async function cli(args: string[]) {
  const p = Bun.spawn([process.execPath, "run", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { out, err, code };
}

async function write(base: string, path: string, body: Record<string, unknown>) {
  const res = await fetch(`${base}/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const get = async (base: string, path: string) =>
  (await fetch(`${base}/item?path=${encodeURIComponent(path)}`)).json();

test("R11: migrate --to-redis then --from-redis keeps every record and its version; a full target is refused", async () => {
  redis = await startRedis();
  const root = tempDir("scale-migrate");
  for (const n of ["a", "b", "c"]) fs.writeFileSync(join(root, `${n}.jpg`), "x");
  const local = await startServerProcess([root, "--port", "0"], { timeoutMs: 30_000 });
  await write(local.url, "/a.jpg", { base_version: 1, set_star: 4, add_tags: ["keep"] });
  await write(local.url, "/a.jpg", { base_version: 2, set_notes: "twice" });
  const last = await write(local.url, "/b.jpg", { set_metrics: { score: 0.5 } });
  await local.stop();

  const to = await cli(["migrate", root, "--to-redis", redis.url]);
  expect(to.err).toBe("");
  expect(to.code).toBe(0);
  expect(to.out).toMatch(/Moved 2 labelled items into Redis/);
  // The local files are renamed: a start without --redis cannot serve stale labels.
  expect(fs.existsSync(join(root, ".lenslet", "labels.log.jsonl"))).toBe(false);

  const shared = await startServerProcess([root, "--port", "0", "--redis", redis.url], {
    timeoutMs: 30_000,
  });
  expect(await get(shared.url, "/a.jpg")).toMatchObject({
    star: 4,
    tags: ["keep"],
    notes: "twice",
    version: 3,
  });
  expect(await get(shared.url, "/b.jpg")).toMatchObject({ metrics: { score: 0.5 }, version: 2 });
  const next = await write(shared.url, "/a.jpg", { base_version: 3, set_star: 1 });
  expect(next.status).toBe(200);
  // Event ids go on above the ones the local process gave its pages.
  expect(next.body.event_id as number).toBeGreaterThan(last.body.event_id as number);
  await shared.stop();

  const again = await cli(["migrate", root, "--to-redis", redis.url]);
  expect(again.code).toBe(1);
  expect(again.err).toMatch(/already holds 2 labelled items/);

  const back = await cli(["migrate", root, "--from-redis", redis.url]);
  expect(back.err).toBe("");
  expect(back.code).toBe(0);
  const alone = await startServerProcess([root, "--port", "0"], { timeoutMs: 30_000 });
  expect(await get(alone.url, "/a.jpg")).toMatchObject({ star: 1, notes: "twice", version: 4 });
  expect(await get(alone.url, "/b.jpg")).toMatchObject({ metrics: { score: 0.5 }, version: 2 });
  await alone.stop();
}, 90_000);
