/**
 * W3: stopping is one shutdown however many signals ask for it. `npm start` + Ctrl-C delivers SIGINT
 * twice (npm forwards it to bun); the second must wait for the first's snapshot, compaction, caches
 * and lock release instead of exiting in the middle of them.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const procs: { kill(): Promise<void> }[] = [];
afterAll(async () => {
  // A failed assertion must not leave a server running.
  await Promise.all(procs.map((p) => p.kill().catch(() => {})));
  for (const d of dirs) removeDir(d);
});

// Enough label text (about 20 MB) that the shutdown snapshot takes a while to write.
const IMAGES = 1000;

async function gallery(): Promise<string> {
  const root = tempDir("lenslet-shutdown-");
  dirs.push(root);
  const files: Record<string, { w: number; h: number }> = {};
  for (let i = 0; i < IMAGES; i++)
    files[`img-${String(i).padStart(3, "0")}.jpg`] = { w: 20, h: 10 };
  await writeTree(root, files);
  return root;
}

async function rateAll(url: string, star: number): Promise<void> {
  const patches = Array.from({ length: IMAGES }, (_, i) => ({
    path: `/img-${String(i).padStart(3, "0")}.jpg`,
    set_tags: [`t${i}`, "x".repeat(100)],
    set_notes: `note ${i} ${"n".repeat(19_000)}`,
    set_metrics: { score: i / IMAGES },
  }));
  const res = await fetch(`${url}/items/patch`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({
      patches: patches.map((p) => ({ ...p, base_version: 1, set_star: star })),
    }),
  });
  expect(res.status).toBe(200);
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await Bun.sleep(2);
}

describe("W3: shutdown", () => {
  test("W3: two SIGINTs in a row still write the snapshot, compact the journal, flush dims and release the lock", async () => {
    const root = await gallery();
    const ws = join(root, ".lenslet");
    const server = await startServerProcess([root, "--port", "0", "--no-watch"]);
    procs.push(server);
    await rateAll(server.url, 3);
    // A dimension read leaves dims.json to the shutdown flush (it is written after a quiet second).
    const dims = await fetch(`${server.url}/dims?path=/img-000.jpg`);
    expect(dims.status).toBe(200);

    server.proc.kill("SIGINT");
    // Signals sent back to back merge into one; send the second once the first is being handled.
    await waitFor(() => server.output().includes("stopping"));
    server.proc.kill("SIGINT");
    const code = await server.proc.exited;
    expect(code).toBe(0);

    const files = readdirSync(ws);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(files).toContain("labels.snapshot.json");
    expect(files).not.toContain("lenslet.lock");
    expect(existsSync(join(ws, "dims.json"))).toBe(true);
    expect(readFileSync(join(ws, "dims.json"), "utf8")).toContain("img-000.jpg");
    // Compacted: every write is in the snapshot, and the journal keeps only its head line.
    const journal = readFileSync(join(ws, "labels.log.jsonl"), "utf8").trim().split("\n");
    expect(journal.length).toBe(1);

    const again = await startServerProcess([root, "--port", "0", "--no-watch"]);
    procs.push(again);
    try {
      const rec = await (await fetch(`${again.url}/item?path=/img-999.jpg`)).json();
      expect(rec.star).toBe(3);
      expect(rec.notes).toStartWith("note 999");
    } finally {
      await again.stop();
    }
  });
});
