/**
 * G11 E1: files added or removed on disk while Lenslet runs reach every page
 * as one `gallery-changed` event, and the same URLs then list them. The real
 * server, a real recursive fs.watch, a real SSE stream.
 */
import { afterEach, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLenslet } from "../../src/server.ts";
import { quietLog, startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { connectSSE } from "../helpers/sse-client.ts";
import { imageBytes } from "../helpers/tree.ts";

let lenslet: TestLenslet | null = null;
afterEach(async () => {
  await lenslet?.dispose();
  lenslet = null;
});

test("G11: a file added on disk is announced and listed; a removed one is gone", async () => {
  lenslet = await startTestLenslet({ "shots/a.jpg": {}, "other/b.jpg": {} }, { write: false });
  const sse = await connectSSE(`${lenslet.url}/events`);
  try {
    // Warm the listing cache, so the test also proves it is invalidated.
    expect(await (await lenslet.get("/?folder=/shots")).text()).not.toContain("fresh.jpg");
    writeFileSync(join(lenslet.root, "shots", "fresh.jpg"), await imageBytes());
    const added = await sse.next((e) => e.event === "gallery-changed", 10_000);
    expect(added.json).toMatchObject({
      folders: ["/shots"],
      added: 1,
      removed: 0,
      totals: { "/": 3, "/shots": 2 },
    });
    expect(added.id).not.toBeNull();
    const page = await (await lenslet.get("/?folder=/shots")).text();
    expect(page).toContain('data-path="/shots/fresh.jpg"');
    expect((await lenslet.get("/thumb?path=/shots/fresh.jpg")).status).toBe(200);

    rmSync(join(lenslet.root, "shots", "a.jpg"));
    const removed = await sse.next(
      (e) => e.event === "gallery-changed" && (e.json as { removed: number }).removed === 1,
      10_000,
    );
    expect(removed.json).toMatchObject({ totals: { "/": 2, "/shots": 1 } });
    expect((await lenslet.get("/item?path=/shots/a.jpg")).status).toBe(404);
  } finally {
    sse.close();
  }
});

test("G11: --no-watch leaves the index as it was at start", async () => {
  lenslet = await startTestLenslet({ "shots/a.jpg": {} }, { write: false, watch: false });
  // A second, watching server on the same folder tells when the change has been seen and settled.
  const watching = await startLenslet(
    { root: lenslet.root, port: 0, write: false },
    { log: quietLog },
  );
  const sse = await connectSSE(`${watching.url}/events`);
  try {
    writeFileSync(join(lenslet.root, "shots", "late.jpg"), await imageBytes());
    await sse.next((e) => e.event === "gallery-changed", 10_000);
    expect(watching.deps.gallery.imageCount).toBe(2);
    expect(lenslet.deps.gallery.imageCount).toBe(1);
    expect(await (await lenslet.get("/?folder=/shots")).text()).not.toContain("late.jpg");
  } finally {
    sse.close();
    await watching.stop();
  }
});
