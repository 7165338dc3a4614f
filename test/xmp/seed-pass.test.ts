/**
 * The XMP seeding pass after start (X2), on a real index, store and folder: a folder without `.xmp` files
 * costs one listing and no look at its images (at 1,000,000 images that per-image work held the event loop
 * for 1.9 s and 1 GB), folders are listed as the pass reaches them, and a long pass lets other work in.
 */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FolderImages, GalleryIndex } from "../../src/gallery/gallery-index.ts";
import { LabelStore } from "../../src/labels/store.ts";
import { EventBus } from "../../src/live/bus.ts";
import { XmpSeeder } from "../../src/xmp/seed.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";
import { CapturingLog } from "../labels/helpers.ts";
import { filesFor } from "../media/helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

const SIDECAR = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="4"/></rdf:RDF></x:xmpmeta>`;

async function setup() {
  const root = tempDir("lenslet-seed-pass-");
  const ws = tempDir("lenslet-seed-pass-ws-");
  dirs.push(root, ws);
  const files: Record<string, object> = { "side/s.jpg": {}, "side/t.jpg": {} };
  for (let i = 0; i < 40; i++) files[`plain/p${i}.jpg`] = {};
  await writeTree(root, files);
  writeFileSync(join(root, "side", "s.jpg.xmp"), SIDECAR);
  const gallery = await GalleryIndex.build(root);
  const log = new CapturingLog();
  const store = await LabelStore.open({ mode: "strict", dir: ws, log });
  store.attach(new EventBus({ capacity: 100, firstId: store.firstEventId() }));
  const looked: string[] = [];
  const labels = {
    get: (p: string) => {
      looked.push(p);
      return store.get(p);
    },
    batch: store.batch.bind(store),
  };
  const seeder = new XmpSeeder({ labels, files: filesFor(root), log });
  return { gallery, store, seeder, looked };
}

test("X2: the pass looks at no image of a folder without .xmp files, and seeds from the sidecar it finds", async () => {
  const { gallery, store, seeder, looked } = await setup();
  const reached: string[] = [];
  const listed: string[] = [];
  function* folders(): Generator<FolderImages> {
    for (const f of gallery.eachFolder()) {
      const name = f.fsPath.slice(f.fsPath.lastIndexOf("/"));
      reached.push(name);
      yield {
        fsPath: f.fsPath,
        images: () => {
          listed.push(name);
          return f.images();
        },
      };
    }
  }
  await seeder.seedAll(folders());
  // Not even listed: no entry was made for its images, none was looked up in the store.
  expect(listed).not.toContain("/plain");
  expect(looked.filter((p) => p.startsWith("/plain/"))).toEqual([]);
  expect(reached).toContain("/plain");
  expect(store.get("/side/s.jpg").star).toBe(4);
  expect(store.get("/side/t.jpg").star).toBeNull();
  expect(seeder.health()).toMatchObject({ seeded: 1, running: false });
  await store.close();
});

test("X2: a long pass gives the event loop back: work queued meanwhile runs before it ends", async () => {
  const { gallery, store, seeder } = await setup();
  const lists = [...gallery.eachFolder()];
  let ranDuring = false;
  let done = false;
  setImmediate(() => {
    ranDuring = !done;
  });
  // Folders that each take 3 ms (as a slow disk would): a pass of 20 of them is 60 ms of work.
  function* slow(): Generator<FolderImages> {
    for (let i = 0; i < 20; i++) {
      const until = performance.now() + 3;
      while (performance.now() < until) {}
      yield lists[i % lists.length]!;
    }
  }
  await seeder.seedAll(slow());
  done = true;
  expect(ranDuring).toBe(true);
  await store.close();
});
