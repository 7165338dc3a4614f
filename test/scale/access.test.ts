/**
 * R10: access control across processes. Several processes on one workspace
 * share access.json (reloaded when another process saved it, changed under
 * its lock): a session made through one process works on the others, and
 * ending it on one ends it on all, open event streams included.
 */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { cookieFrom } from "../access/helpers.ts";
import { startRedis, type TestRedis } from "../helpers/redis-server.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { connectSSE } from "../helpers/sse-client.ts";
import { cleanupTempDirs, tempDir } from "../labels/helpers.ts";

let redis: TestRedis | null = null;
const procs: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop().catch(() => {})));
  await redis?.dispose();
  cleanupTempDirs();
});

test("R10: a session made through one process works on the others; ending it on one ends it everywhere at once", async () => {
  redis = await startRedis();
  const root = tempDir("scale-access");
  fs.writeFileSync(join(root, "a.jpg"), "x");
  const args = [root, "--port", "0", "--redis", redis.url, "--access", "token"];
  procs.push(await startServerProcess(args, { timeoutMs: 30_000 }));
  procs.push(await startServerProcess(args, { timeoutMs: 30_000 }));
  const [a, b] = procs;
  // Every start makes a new owner link (the previous one stops): the last one printed works.
  const link = /(http:\/\/\S+\/\?token=\S+)/.exec(b.output())?.[1] as string;
  const token = new URL(link).searchParams.get("token") as string;
  const owner = cookieFrom(await fetch(`${a.url}/?token=${token}`, { redirect: "manual" }));
  const me = async (p: ServerProcess) =>
    (await fetch(`${p.url}/access/me`, { headers: { cookie: owner } })).json();
  expect((await me(a)).principal).toMatchObject({ kind: "session", role: "owner" });
  // Made through a, known to b.
  const onB = await me(b);
  expect(onB.principal).toMatchObject({ kind: "session", role: "owner" });
  // An invite made on b is redeemed on a, and that person is listed on b.
  const inv = await fetch(`${b.url}/access/invites`, {
    method: "POST",
    headers: { cookie: owner, origin: b.url, "content-type": "application/json" },
    body: JSON.stringify({ role: "rater" }),
  });
  expect(inv.status).toBe(201);
  const invite = new URL(((await inv.json()) as { link: string }).link).searchParams.get(
    "invite",
  ) as string;
  const joined = await fetch(`${a.url}/access/join`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: a.url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ invite, name: "Ana" }),
  });
  expect(joined.status).toBe(303);
  const ana = cookieFrom(joined);
  const list = (await (
    await fetch(`${b.url}/access/sessions`, { headers: { cookie: owner } })
  ).json()) as { sessions: { id: string; name: string }[] };
  const anaSession = list.sessions.find((s) => s.name === "Ana");
  expect(anaSession).toBeDefined();
  // Ana's stream on a; her session ended on b: a refuses her at once and closes the stream.
  const stream = await connectSSE(`${a.url}/events?last_event_id=0`, { headers: { cookie: ana } });
  expect(stream.response.status).toBe(200);
  const del = await fetch(`${b.url}/access/sessions/${anaSession?.id}`, {
    method: "DELETE",
    headers: { cookie: owner, origin: b.url },
  });
  expect(del.status).toBe(200);
  const after = await fetch(`${a.url}/item?path=/a.jpg`, { headers: { cookie: ana } });
  expect(after.status).toBe(401);
  await stream.ended;
  expect(stream.isEnded).toBe(true);
}, 60_000);
