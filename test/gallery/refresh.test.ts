/**
 * G11: the index follows the disk while Lenslet runs. `refresh` on real
 * folders, then the watcher on a real recursive fs.watch.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BrowseQuery } from "../../src/gallery/browse-query.ts";
import { GalleryIndex } from "../../src/gallery/gallery-index.ts";
import { QueryRunner } from "../../src/gallery/run-query.ts";
import { watchGallery } from "../../src/gallery/watcher.ts";
import type { GalleryChanged } from "../../src/live/protocol.ts";
import { imageBytes, removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function gallery(files: Parameters<typeof writeTree>[1]) {
  const root = tempDir("lenslet-refresh-");
  dirs.push(root);
  await writeTree(root, files);
  const index = await GalleryIndex.build(root, { exclude: [join(root, "ws")] });
  await index.statsReady;
  return { root, index };
}

const names = (index: GalleryIndex, folder: string, recursive = false) =>
  index.list(folder, recursive).map((e) => e.path);

describe("GalleryIndex.refresh", () => {
  test("G11: a new file is added in name order, with size and mtime, totals and ordinals updated", async () => {
    const { root, index } = await gallery({ "a/img1.jpg": {}, "a/img10.jpg": {}, "b/x.jpg": {} });
    const rev = index.revision;
    writeFileSync(join(root, "a", "img2.jpg"), await imageBytes());
    const change = index.refresh(["/a"]);
    expect(change).toEqual({
      folders: ["/a"],
      tree: [],
      gone: [],
      added: ["/a/img2.jpg"],
      removed: [],
      modified: [],
    });
    expect(names(index, "/a")).toEqual(["/a/img1.jpg", "/a/img2.jpg", "/a/img10.jpg"]);
    expect(index.get("/a/img2.jpg")?.size).toBeGreaterThan(0);
    expect(index.folder("/")?.totalImages).toBe(4);
    expect(index.list("/", true).map((e) => e.ordinal)).toEqual([0, 1, 2, 3]);
    expect(index.revision).toBeGreaterThan(rev);
  });

  test("G11: a removed file leaves; a rewritten one keeps its place with its new size", async () => {
    const { root, index } = await gallery({ "a/one.jpg": {}, "a/two.jpg": {} });
    rmSync(join(root, "a", "one.jpg"));
    writeFileSync(join(root, "a", "two.jpg"), await imageBytes("jpeg", 300, 200));
    const before = index.get("/a/two.jpg")!.size;
    const change = index.refresh(["/a"]);
    expect(change?.removed).toEqual(["/a/one.jpg"]);
    expect(change?.modified).toEqual(["/a/two.jpg"]);
    expect(index.get("/a/one.jpg")).toBeUndefined();
    expect(index.get("/a/two.jpg")!.size).not.toBe(before);
  });

  test("G11: a new folder is walked whole; a removed one goes with everything below it", async () => {
    const { root, index } = await gallery({ "a/one.jpg": {}, "old/deep/x.jpg": {} });
    await writeTree(root, { "a/new/deeper/y.jpg": {}, "a/new/z.jpg": {} });
    rmSync(join(root, "old"), { recursive: true });
    const change = index.refresh(["/a/new/deeper", "/old/deep"]);
    expect(change?.tree.sort()).toEqual(["/", "/a"]);
    expect(change?.added.sort()).toEqual(["/a/new/deeper/y.jpg", "/a/new/z.jpg"]);
    expect(change?.removed).toEqual(["/old/deep/x.jpg"]);
    expect(change?.gone).toEqual(["/old"]);
    expect(index.folder("/old")).toBeUndefined();
    expect(index.folder("/old/deep")).toBeUndefined();
    expect(index.folder("/a")?.folders).toEqual(["/a/new"]);
    expect(names(index, "/a", true)).toEqual(["/a/one.jpg", "/a/new/z.jpg", "/a/new/deeper/y.jpg"]);
    expect(index.folder("/")?.totalImages).toBe(3);
  });

  test("G11: hidden entries and the workspace stay out; nothing changed → null and no new revision", async () => {
    const { root, index } = await gallery({ "a/one.jpg": {} });
    await writeTree(root, { "a/.tmp.jpg": {}, ".hidden/x.jpg": {}, "ws/thumbs/t.jpg": {} });
    const rev = index.revision;
    expect(index.refresh(["/a", "/"])).toBeNull();
    expect(index.revision).toBe(rev);
    expect(index.rules.ignores("a/.tmp.jpg")).toBe(true);
    expect(index.rules.ignores("ws/thumbs/t.jpg")).toBe(true);
    expect(index.rules.ignores("a/one.jpg")).toBe(false);
  });

  test("G11: cached query results follow the index", async () => {
    const { root, index } = await gallery({ "a/one.jpg": {} });
    const runner = new QueryRunner(index, {
      revision: 0,
      get: () => ({ star: null, tags: [], notes: "", metrics: {}, flag: null, color: null }),
    });
    const q = BrowseQuery.parse({ folder: "/a" });
    expect(runner.run(q).length).toBe(1);
    writeFileSync(join(root, "a", "two.jpg"), await imageBytes());
    index.refresh(["/a"]);
    expect(runner.run(q).map((e) => e.name)).toEqual(["one.jpg", "two.jpg"]);
  });
});

describe("watchGallery (real fs.watch)", () => {
  function watched(index: GalleryIndex) {
    const events: GalleryChanged[] = [];
    let wake = () => {};
    const watcher = watchGallery({
      index,
      log: { warn: (m) => console.error(m) },
      quietMs: 50,
      onChange: (e) => {
        events.push(e);
        wake();
      },
    });
    stops.push(() => watcher.close());
    /** Resolves once the events seen so far satisfy `ok`. */
    const until = (ok: (all: GalleryChanged[]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => ok(events) && resolve();
        wake = check;
        check();
      });
    return { events, until };
  }

  test("G11: files copied into nested folders, renamed, rewritten and deleted all reach the index and the event", async () => {
    const { root, index } = await gallery({ "a/one.jpg": {} });
    const { events, until } = watched(index);
    mkdirSync(join(root, "a", "sub"));
    writeFileSync(join(root, "a", "sub", "x.jpg"), await imageBytes());
    await until(() => index.get("/a/sub/x.jpg") !== undefined);
    const added = events.find((e) => e.added > 0)!;
    expect(added.folders).toContain("/a");
    expect(added.tree).toContain("/a");
    expect(added.totals).toMatchObject({ "/": 2, "/a": 2 });

    renameSync(join(root, "a", "one.jpg"), join(root, "a", "uno.jpg"));
    await until(() => index.get("/a/uno.jpg") !== undefined && !index.get("/a/one.jpg"));
    // Rewritten in place: same name, new bytes → listed as modified (its thumbnail changes).
    writeFileSync(join(root, "a", "uno.jpg"), await imageBytes("jpeg", 200, 100));
    await until((all) => all.some((e) => e.modified.includes("/a/uno.jpg")));
    rmSync(join(root, "a", "sub"), { recursive: true });
    await until(() => index.folder("/a/sub") === undefined);
    expect(index.folder("/")?.totalImages).toBe(1);
    expect(events.at(-1)?.totals["/a"]).toBe(1);
  });

  test("G11: writes the index ignores (hidden files) publish nothing", async () => {
    const { root, index } = await gallery({ "a/one.jpg": {} });
    const { events, until } = watched(index);
    writeFileSync(join(root, "a", ".part.jpg"), await imageBytes());
    writeFileSync(join(root, "a", "real.jpg"), await imageBytes());
    await until((all) => all.length > 0);
    expect(events.every((e) => e.added === 1)).toBe(true);
    expect(index.get("/a/.part.jpg")).toBeUndefined();
  });
});
