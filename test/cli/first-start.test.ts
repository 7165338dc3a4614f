/**
 * F4: the first start says what it is doing while it makes the demo gallery,
 * on a terminal and in a log (not a TTY) alike.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { progressBar } from "../../src/terminal.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) > 0 } };
}

describe("progress (F4)", () => {
  test("F4: not a terminal: the title when work starts, a line per quarter, the end; nothing when no work was done", () => {
    const { out, stream } = sink(false);
    const bar = progressBar("Making the demo gallery (8 images)", stream);
    for (let i = 0; i <= 8; i++) bar.update(i, 8);
    bar.done();
    expect(out).toEqual([
      "Making the demo gallery (8 images)…\n",
      "Making the demo gallery (8 images): 2/8\n",
      "Making the demo gallery (8 images): 4/8\n",
      "Making the demo gallery (8 images): 6/8\n",
      "Making the demo gallery (8 images): 8/8, done\n",
    ]);
    const idle = sink(false);
    progressBar("Nothing", idle.stream).done();
    expect(idle.out).toEqual([]);
  });

  test("F4: not a terminal, no total: a line every few seconds", () => {
    const { out, stream } = sink(false);
    let t = 0;
    const bar = progressBar("Indexing", stream, { everyMs: 2000, now: () => t });
    bar.update(0, undefined, "0 images");
    for (t = 500; t <= 5000; t += 500) bar.update(t, undefined, `${t} images`);
    bar.done();
    expect(out).toEqual([
      "Indexing…\n",
      "Indexing: 2000 images\n",
      "Indexing: 4000 images\n",
      "Indexing: 5000 images, done\n",
    ]);
  });

  test("F4: on a terminal: one line redrawn in place and cleared at the end", () => {
    const { out, stream } = sink(true);
    let t = 0;
    const bar = progressBar("Making", stream, { now: () => t });
    bar.update(1, 4);
    t = 100;
    bar.update(4, 4);
    bar.done();
    expect(out).toHaveLength(3);
    expect(out[0]).toStartWith("\rMaking [");
    expect(out[1]).toContain("] 4/4");
    expect(out[2]).toBe("\r\x1b[K");
  });
});

let server: ServerProcess | undefined;
const demoDir = tempDir("lenslet-demo-");
const workspace = tempDir("lenslet-ws-");
afterAll(async () => {
  await server?.stop();
  removeDir(demoDir);
  removeDir(workspace);
});

test("F4: the first start (output piped, not a TTY) says 'Making the demo gallery (331 images)…' and its progress before it is ready", async () => {
  server = await startServerProcess(["--port", "0", "--workspace", workspace, "--no-watch"], {
    timeoutMs: 150_000,
    env: { LENSLET_DEMO_DIR: `${demoDir}/gallery` },
  });
  const out = server.output();
  const lines = out.split("\n");
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const started = at(/^Making the demo gallery \(331 images\)…$/);
  const quarter = at(/^Making the demo gallery \(331 images\): \d+\/331$/);
  const finished = at(/^Making the demo gallery \(331 images\): 331\/331, done$/);
  const ready = at(/Lenslet ready at/);
  expect(started).toBeGreaterThanOrEqual(0);
  expect(quarter).toBeGreaterThan(started);
  expect(finished).toBeGreaterThan(quarter);
  expect(ready).toBeGreaterThan(finished);
}, 180_000);
