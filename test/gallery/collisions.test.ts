/**
 * G13: every indexed entry has a canonical path of its own. Names that differ only in Unicode
 * normalisation index one and skip the other with the reason; a name canonicalPath would drop or
 * split (only spaces, a backslash) is skipped, never merged with another. The scan (FolderReader),
 * the refresh the watcher drives, and the whole app over HTTP.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GalleryIndex } from "../../src/gallery/gallery-index.ts";
import { FolderReader, SAME_PATH, type Skipped } from "../../src/gallery/scan.ts";
import { startLenslet } from "../../src/server.ts";
import { imageBytes, removeDir, tempDir } from "../helpers/tree.ts";

const NFC = "caf\u00e9.jpg";
const NFD = "cafe\u0301.jpg";
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

async function gallery(files: Record<string, Buffer | string>): Promise<string> {
  const root = tempDir("lenslet-collide-");
  dirs.push(root);
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), bytes);
  }
  return root;
}

const onlyImages = (index: GalleryIndex) => index.list("/", true).map((e) => e.path);

describe("G13: one canonical path, one entry (scan)", () => {
  test("G13: NFC and NFD spellings of one name: the NFC one is indexed from its own file, the NFD one skipped", async () => {
    const a = await imageBytes("jpeg", 20, 10, "#f00");
    const b = await imageBytes("jpeg", 30, 10, "#00f");
    const root = await gallery({ [NFD]: b, [NFC]: a });
    const index = await GalleryIndex.build(root);
    expect(onlyImages(index)).toEqual([`/${NFC}`]);
    const entry = index.get(`/${NFC}`)!;
    expect(readFileSync(entry.fsPath).equals(a)).toBe(true);
    expect(entry.fsPath.endsWith(`/${NFC}`)).toBe(true);
    expect(index.skipped).toEqual([
      {
        path: `/${NFC}`,
        reason: SAME_PATH,
        detail: `the NFD spelling "cafe\\u{301}.jpg" of "${NFC}", which is indexed`,
        folder: "/",
      },
    ]);
  });

  test("G13: only an NFD spelling: indexed under its NFC path, reading its own (NFD) file", async () => {
    const root = await gallery({ [NFD]: await imageBytes() });
    const index = await GalleryIndex.build(root);
    expect(onlyImages(index)).toEqual([`/${NFC}`]);
    expect(index.get(`/${NFC}`)!.fsPath.endsWith(`/${NFD}`)).toBe(true);
    expect(index.skipped).toEqual([]);
  });

  test("G13: neither spelled canonically: the first in byte order wins, whatever the listing order", async () => {
    // Two orders of combining marks, one NFC form (ạ́ = a + dot below + acute).
    const x = "a\u0301\u0323.jpg";
    const y = "a\u0323\u0301.jpg";
    expect(x.normalize("NFC")).toBe(y.normalize("NFC"));
    const root = await gallery({ [x]: "x", [y]: "y" });
    const first = Buffer.compare(Buffer.from(x), Buffer.from(y)) < 0 ? x : y;
    const reader = new FolderReader(root);
    const listing = reader.list(reader.root);
    expect(listing.images.map((i) => i.fsPath.slice(reader.realRoot.length + 1))).toEqual([first]);
    expect(listing.skipped.map((s) => s.reason)).toEqual([SAME_PATH]);
  });

  test("G13: a singleton like the Kelvin sign loses to the plain ASCII name it normalises to", async () => {
    const root = await gallery({ "\u212a.jpg": "kelvin", "K.jpg": "k" });
    const index = await GalleryIndex.build(root);
    expect(onlyImages(index)).toEqual(["/K.jpg"]);
    expect(readFileSync(index.get("/K.jpg")!.fsPath, "utf8")).toBe("k");
    expect(index.skipped[0]!.detail).toContain("another spelling");
  });

  test("G13: two folders spelled NFC and NFD: one is walked, the other skipped with all below it", async () => {
    const root = await gallery({
      "caf\u00e9/one.jpg": await imageBytes(),
      "cafe\u0301/two.jpg": await imageBytes(),
    });
    const index = await GalleryIndex.build(root);
    expect(onlyImages(index)).toEqual(["/caf\u00e9/one.jpg"]);
    expect(index.skipped.map((s) => [s.path, s.reason])).toEqual([["/caf\u00e9", SAME_PATH]]);
  });

  test("G13: a folder named only spaces is skipped, never merged into its parent", async () => {
    const root = await gallery({ "a.jpg": await imageBytes(), "   /a.jpg": "other bytes" });
    const index = await GalleryIndex.build(root);
    expect(onlyImages(index)).toEqual(["/a.jpg"]);
    expect(readFileSync(index.get("/a.jpg")!.fsPath).equals(await imageBytes())).toBe(true);
    expect(index.skipped.map((s) => [s.path, s.reason])).toEqual([
      ["/   ", "name is only spaces (no canonical path of its own)"],
    ]);
  });

  test("G13: a name with a backslash is skipped, not read as a subfolder", async () => {
    const root = await gallery({ "x/y.jpg": await imageBytes(), "x\\y.jpg": "imposter" });
    const index = await GalleryIndex.build(root);
    expect(onlyImages(index)).toEqual(["/x/y.jpg"]);
    expect(index.skipped.map((s) => s.reason)).toEqual([
      "name contains a slash or backslash (no canonical path of its own)",
    ]);
  });
});

describe("G13: the refresh the watcher drives applies the same rule", () => {
  test("G13: a colliding file copied in later is skipped and reported; the indexed one stays", async () => {
    const root = await gallery({ [NFC]: await imageBytes() });
    const reported: Skipped[] = [];
    const index = await GalleryIndex.build(root, { onSkipped: (l) => reported.push(...l) });
    writeFileSync(join(root, NFD), "the other one");
    expect(index.refresh(["/"])).toBeNull();
    expect(onlyImages(index)).toEqual([`/${NFC}`]);
    expect(index.get(`/${NFC}`)!.fsPath.endsWith(`/${NFC}`)).toBe(true);
    expect(reported.map((s) => s.reason)).toEqual([SAME_PATH]);
    expect(index.skippedSummary()).toMatchObject({ total: 1, by_reason: { [SAME_PATH]: 1 } });
    // Listed again: nothing new to report; gone again: nothing skipped.
    index.refresh(["/"]);
    expect(reported).toHaveLength(1);
    removeDir(join(root, NFD));
    index.refresh(["/"]);
    expect(index.skippedSummary().total).toBe(0);
  });

  test("G13: the canonical spelling arriving later takes over the entry (the choice is by name, not arrival)", async () => {
    const root = await gallery({ [NFD]: "nfd" });
    const index = await GalleryIndex.build(root);
    expect(index.get(`/${NFC}`)!.fsPath.endsWith(`/${NFD}`)).toBe(true);
    writeFileSync(join(root, NFC), "nfc!");
    const change = index.refresh(["/"])!;
    expect(change.modified).toEqual([`/${NFC}`]);
    expect(readFileSync(index.get(`/${NFC}`)!.fsPath, "utf8")).toBe("nfc!");
    expect(index.skipped.map((s) => s.detail)).toEqual([
      `the NFD spelling "cafe\\u{301}.jpg" of "${NFC}", which is indexed`,
    ]);
  });
});

describe("G13: through the real app", () => {
  for (const watch of [false, true]) {
    test(`G13: one card, one export row, the indexed file's own bytes, the other in /health and on the console${watch ? " (copied in while running)" : ""}`, async () => {
      const mine = await imageBytes("jpeg", 20, 10, "#f00");
      const root = await gallery(
        watch
          ? { [NFC]: mine, "other.jpg": await imageBytes() }
          : { [NFC]: mine, [NFD]: "imposter" },
      );
      const warnings: string[] = [];
      const log = { info() {}, warn: (m: string) => warnings.push(m), error() {} };
      const server = await startLenslet({ root, port: 0, watch }, { log });
      const health = async () => (await (await fetch(`${server.url}/health`)).json()).gallery;
      try {
        if (watch) {
          expect((await health()).skipped.total).toBe(0);
          copyFileSync(join(root, "other.jpg"), join(root, NFD));
          const deadline = Date.now() + 10_000;
          while ((await health()).skipped.total === 0 && Date.now() < deadline) await Bun.sleep(25);
        }
        const g = await health();
        expect(g.images).toBe(watch ? 2 : 1);
        expect(g.skipped).toEqual({
          total: 1,
          by_reason: { [SAME_PATH]: 1 },
          first: [
            {
              path: `/${NFC}`,
              reason: SAME_PATH,
              detail: `the NFD spelling "cafe\\u{301}.jpg" of "${NFC}", which is indexed`,
            },
          ],
        });
        expect(warnings.filter((w) => w.startsWith(`skipped /${NFC}: ${SAME_PATH}`))).toHaveLength(
          1,
        );
        // Asked by either spelling, the original is the NFC file's own bytes.
        for (const spelling of [NFC, NFD]) {
          const res = await fetch(`${server.url}/file?path=${encodeURIComponent(`/${spelling}`)}`);
          expect(Buffer.from(await res.arrayBuffer()).equals(mine)).toBe(true);
        }
        const rows = await (
          await fetch(`${server.url}/export?path=/&recursive=1&format=json`)
        ).json();
        expect(rows.filter((r: { path: string }) => r.path === `/${NFC}`)).toHaveLength(1);
        const page = await (await fetch(`${server.url}/?folder=/`)).text();
        expect(page.split(`data-path="/${NFC}"`).length - 1).toBe(1);
      } finally {
        await server.stop();
      }
    });
  }
});
