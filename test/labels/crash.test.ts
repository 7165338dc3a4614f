/**
 * J11: the real server process (`bun run src/main.ts`), concurrent writers,
 * `kill -9` at a random moment, many rounds. After each restart every write
 * whose outcome was unknown is retried with its Idempotency-Key, and then
 * every write is present exactly once: each applied write added one unique
 * tag and bumped the version once, so per item `version - 1 == tags.length`,
 * and every acknowledged tag is there.
 */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { cleanupTempDirs, tempDir } from "./helpers.ts";

afterAll(cleanupTempDirs);

const ROUNDS = 12;
const WRITERS = 12;
const ITEMS = 6;

interface Write {
  key: string;
  path: string;
  tag: string;
  versioned: boolean;
  /** 200 → applied; 409 → refused; null → unknown (the server died under it). */
  status: number | null;
  version?: number;
  /** What was sent: a retry must send the very same request. */
  sent?: string;
  /** Anything but 200/409/a cut connection. */
  unexpected?: string;
}

function body(w: Write, base: number): Record<string, unknown> {
  // Half the writes need their base version (notes), half commute (tags only).
  return w.versioned
    ? { base_version: base, set_notes: w.tag, add_tags: [w.tag] }
    : { add_tags: [w.tag] };
}

async function send(url: string, w: Write, base: number): Promise<void> {
  w.sent ??= JSON.stringify(body(w, base));
  try {
    const res = await fetch(`${url}/item?path=${encodeURIComponent(w.path)}`, {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        "idempotency-key": w.key,
        "x-lenslet-client": "crash",
      },
      body: w.sent,
    });
    const text = await res.text();
    const out = JSON.parse(text) as { version?: number; current?: { version: number } };
    if (res.status === 200 || res.status === 409) {
      w.status = res.status;
      w.version = res.status === 200 ? out.version : out.current?.version;
    } else {
      w.unexpected = `${res.status} ${text}`;
    }
  } catch {
    // Connection cut by the kill: outcome unknown until the retry.
  }
}

test("J11: kill -9 at random moments under concurrent writers loses nothing acknowledged and applies nothing twice", async () => {
  const root = tempDir("crash-root");
  const ws = tempDir("crash-ws");
  for (let i = 0; i < ITEMS; i++) fs.writeFileSync(join(root, `img-${i}.jpg`), "not really a jpeg");
  const start = () =>
    startServerProcess([root, "--port", "0", "--workspace", ws], { timeoutMs: 30_000 });
  const writes: Write[] = [];
  const bases = new Map<string, number>();
  let server: ServerProcess = await start();
  let seq = 0;
  let killedWithUnknown = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      let alive = true;
      const writer = async (wi: number) => {
        while (alive) {
          const path = `/img-${(wi + seq) % ITEMS}.jpg`;
          const w: Write = {
            key: `r${round}-w${wi}-${++seq}`,
            path,
            tag: `t${seq}`,
            versioned: seq % 2 === 0,
            status: null,
          };
          writes.push(w);
          await send(server.url, w, bases.get(path) ?? 1);
          expect(w.unexpected ?? null).toBeNull();
          if (w.status === null) return; // the server is gone
          if (w.version !== undefined) bases.set(path, Math.max(bases.get(path) ?? 1, w.version));
        }
      };
      const running = Array.from({ length: WRITERS }, (_, i) => writer(i));
      // Kill at a random moment once writes are flowing.
      const acked = () => writes.filter((w) => w.status === 200).length;
      const before = acked();
      while (acked() < before + 5) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      await server.kill();
      alive = false;
      await Promise.all(running);
      if (writes.some((w) => w.status === null)) killedWithUnknown++;

      server = await start();
      // Retry every write whose outcome is unknown, with its own key and body.
      for (const w of writes.filter((x) => x.status === null)) {
        await send(server.url, w, bases.get(w.path) ?? 1);
        expect(w.unexpected ?? null).toBeNull();
        expect(w.status).not.toBeNull();
      }
      for (const w of writes)
        if (w.version !== undefined) bases.set(w.path, Math.max(bases.get(w.path) ?? 1, w.version));
      await verify(server.url, writes);
    }
  } finally {
    await server.stop();
  }
  expect(writes.filter((w) => w.status === 200).length).toBeGreaterThan(ROUNDS * 5);
  // The kills did land mid-write in most rounds (otherwise the test proves little).
  expect(killedWithUnknown).toBeGreaterThan(ROUNDS / 2);
}, 180_000);

async function verify(url: string, writes: Write[]): Promise<void> {
  const applied = new Map<string, Set<string>>();
  for (const w of writes) {
    if (w.status !== 200) continue;
    if (!applied.has(w.path)) applied.set(w.path, new Set());
    applied.get(w.path)?.add(w.tag);
  }
  const refused = new Set(writes.filter((w) => w.status === 409).map((w) => w.tag));
  for (const [path, tags] of applied) {
    const res = await fetch(`${url}/item?path=${encodeURIComponent(path)}`);
    const rec = (await res.json()) as { version: number; tags: string[] };
    // Every acknowledged write is there…
    for (const t of tags) expect(rec.tags).toContain(t);
    // …nothing that was refused is…
    for (const t of rec.tags) expect(refused.has(t)).toBe(false);
    // …and each applied once: one version per tag, no more, no less.
    expect(rec.tags.length).toBe(tags.size);
    expect(rec.version).toBe(tags.size + 1);
  }
}
