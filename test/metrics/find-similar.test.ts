/**
 * "Find similar" in the inspector and the viewer (D19), through the real app: shown for an image with a
 * vector, a link to the whole gallery ordered by similarity with that image selected; absent otherwise.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { quietLog } from "../helpers/lenslet.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) removeDir(d);
});

async function start(withTable: boolean) {
  const root = tempDir("lenslet-similar-");
  dirs.push(root);
  await writeTree(root, { "a.jpg": {}, "b.jpg": {}, "sub/c.jpg": {}, "z.jpg": {} });
  let table: string | undefined;
  if (withTable) {
    table = join(root, "t.jsonl");
    const rows = [
      { path: "a.jpg", v: [1, 0, 0] },
      { path: "b.jpg", v: [0, 1, 0] },
      { path: "sub/c.jpg", v: [0.8, 0.6, 0] },
      { path: "z.jpg", v: [0, 0, 0] }, // all zeros: no vector
    ];
    writeFileSync(table, rows.map((r) => JSON.stringify(r)).join("\n"));
  }
  const s = await startLenslet({ port: 0, root, ...(table ? { table } : {}) }, { log: quietLog });
  servers.push(s);
  return (p: string) => fetch(s.url + p);
}

const similarLink = (html: string) =>
  html.match(/<a class="find-similar" href="([^"]+)"/)?.[1]?.replace(/&amp;/g, "&") ?? null;

describe("Find similar (D19)", () => {
  test("D19: the inspector and the viewer link an image with a vector to the gallery sorted by similarity to it", async () => {
    const get = await start(true);
    const inspector = await (await get("/inspector?path=%2Fa.jpg")).text();
    const href = similarLink(inspector);
    expect(href).toBe("/?recursive=1&sort=similar%3A%2Fa.jpg&sel=%2Fa.jpg");
    const viewer = await (await get("/viewer?sel=%2Fa.jpg")).text();
    expect(similarLink(viewer)).toBe(href);
    // Following it: every image, most similar first, the one without a vector last.
    const page = await (await get(`/grid/page?${(href ?? "").slice(2)}`)).text();
    expect([...page.matchAll(/data-path="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "/a.jpg",
      "/sub/c.jpg",
      "/b.jpg",
      "/z.jpg",
    ]);
  });

  test("D19: no button for an image without a vector, nor in a folder gallery", async () => {
    const table = await start(true);
    expect(similarLink(await (await table("/inspector?path=%2Fz.jpg")).text())).toBeNull();
    const folder = await start(false);
    expect(similarLink(await (await folder("/inspector?path=%2Fa.jpg")).text())).toBeNull();
    expect(similarLink(await (await folder("/viewer?sel=%2Fa.jpg")).text())).toBeNull();
  });
});
