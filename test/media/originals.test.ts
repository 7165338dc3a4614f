import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { etagMatches, parseRange, serveOriginal } from "../../src/media/originals.ts";
import { entryFor, filesFor, tempDir, writeImage } from "./helpers.ts";

const { dir: root, cleanup } = tempDir("originals");
afterAll(cleanup);
const files = filesFor(root);

const req = (headers: Record<string, string> = {}, method = "GET") =>
  new Request("http://local/file", { method, headers });

describe("parseRange", () => {
  test("single ranges: closed, open-ended, suffix, clamped end", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-1000", 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=50-5000", 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange("BYTES = 1 - 2", 100)).toEqual({ start: 1, end: 2 });
  });

  test("unsatisfiable: start past the end, empty suffix, empty file", () => {
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=200-300", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
  });

  test("absent, malformed or multi-range headers are ignored (whole file)", () => {
    for (const h of [
      null,
      undefined,
      "",
      "bytes=",
      "bytes=-",
      "items=0-1",
      "bytes=5-2",
      "bytes=0-1,4-5",
      "bytes=a-b",
    ]) {
      expect(parseRange(h, 100)).toBeNull();
    }
  });
});

describe("etagMatches", () => {
  test("strong, weak, lists and *", () => {
    expect(etagMatches('"abc"', '"abc"')).toBe(true);
    expect(etagMatches('W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('"x", "abc"', '"abc"')).toBe(true);
    expect(etagMatches("*", '"abc"')).toBe(true);
    expect(etagMatches('"abcd"', '"abc"')).toBe(false);
    expect(etagMatches(null, '"abc"')).toBe(false);
  });
});

describe("serveOriginal", () => {
  const formats = [
    ["jpeg", "jpg", "image/jpeg"],
    ["png", "png", "image/png"],
    ["webp", "webp", "image/webp"],
    ["gif", "gif", "image/gif"],
    ["avif", "avif", "image/avif"],
    ["tiff", "tiff", "image/tiff"],
  ] as const;

  for (const [format, ext, type] of formats) {
    test(`Content-Type of .${ext} is ${type}, body is the file`, async () => {
      const file = join(root, `pic.${ext}`);
      const bytes = await writeImage(file, 20, 10, format);
      const res = (await serveOriginal(req(), entryFor(root, file), files))!;
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe(type);
      expect(res.headers.get("Content-Length")).toBe(String(bytes.length));
      expect(res.headers.get("Accept-Ranges")).toBe("bytes");
      expect(res.headers.get("ETag")).toMatch(/^"[^"]+"$/);
      expect(res.headers.get("Last-Modified")).toBeTruthy();
      expect(res.headers.get("Cache-Control")).toContain("no-cache");
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    });
  }

  test(".JPG in capitals and .jpeg are JPEG too; unknown extensions are octet-stream", async () => {
    for (const [name, type] of [
      ["UP.JPG", "image/jpeg"],
      ["x.jpeg", "image/jpeg"],
      ["x.weird", "application/octet-stream"],
    ] as const) {
      const file = join(root, name);
      writeFileSync(file, "data");
      const res = (await serveOriginal(req(), entryFor(root, file), files))!;
      expect(res.headers.get("Content-Type")).toBe(type);
    }
  });

  test("Range → 206 with exactly those bytes and Content-Range", async () => {
    const file = join(root, "range.png");
    const bytes = await writeImage(file, 64, 64, "png");
    const e = entryFor(root, file);
    const res = (await serveOriginal(req({ Range: "bytes=10-19" }), e, files))!;
    expect(res.status).toBe(206);
    expect(res.headers.get("Content-Range")).toBe(`bytes 10-19/${bytes.length}`);
    expect(res.headers.get("Content-Length")).toBe("10");
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);

    const tail = (await serveOriginal(req({ Range: "bytes=-5" }), e, files))!;
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 5))).toBe(
      true,
    );

    const open = (await serveOriginal(req({ Range: `bytes=${bytes.length - 3}-` }), e, files))!;
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(bytes.length - 3))).toBe(
      true,
    );
  });

  test("unsatisfiable Range → 416 with Content-Range bytes */size", async () => {
    const file = join(root, "small.png");
    const bytes = await writeImage(file, 4, 4, "png");
    const res = (await serveOriginal(
      req({ Range: `bytes=${bytes.length}-` }),
      entryFor(root, file),
      files,
    ))!;
    expect(res.status).toBe(416);
    expect(res.headers.get("Content-Range")).toBe(`bytes */${bytes.length}`);
    expect((await res.json()).error).toBe("range_not_satisfiable");
  });

  test("If-Range with a stale validator ignores the Range (whole file)", async () => {
    const file = join(root, "ifrange.png");
    const bytes = await writeImage(file, 8, 8, "png");
    const e = entryFor(root, file);
    const first = (await serveOriginal(req(), e, files))!;
    const etag = first.headers.get("ETag")!;
    const fresh = (await serveOriginal(req({ Range: "bytes=0-3", "If-Range": etag }), e, files))!;
    expect(fresh.status).toBe(206);
    const stale = (await serveOriginal(
      req({ Range: "bytes=0-3", "If-Range": '"old"' }),
      e,
      files,
    ))!;
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(bytes.length);
  });

  test("If-None-Match / If-Modified-Since → 304 without a body", async () => {
    const file = join(root, "cond.jpg");
    await writeImage(file, 8, 8);
    const e = entryFor(root, file);
    const first = (await serveOriginal(req(), e, files))!;
    const etag = first.headers.get("ETag")!;
    const byTag = (await serveOriginal(req({ "If-None-Match": etag }), e, files))!;
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get("ETag")).toBe(etag);
    expect((await byTag.arrayBuffer()).byteLength).toBe(0);
    const byDate = (await serveOriginal(
      req({ "If-Modified-Since": first.headers.get("Last-Modified")! }),
      e,
      files,
    ))!;
    expect(byDate.status).toBe(304);
    const other = (await serveOriginal(req({ "If-None-Match": '"nope"' }), e, files))!;
    expect(other.status).toBe(200);
  });

  test("HEAD: same headers, no body", async () => {
    const file = join(root, "head.webp");
    const bytes = await writeImage(file, 30, 30, "webp");
    const res = (await serveOriginal(req({}, "HEAD"), entryFor(root, file), files))!;
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("image/webp");
    expect(res.headers.get("Content-Length")).toBe(String(bytes.length));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  test("the current file is measured at request time; a vanished file gives null", async () => {
    const file = join(root, "changing.jpg");
    await writeImage(file, 8, 8);
    const e = entryFor(root, file);
    writeFileSync(file, "longer content than before, longer than the jpeg was? maybe not");
    const res = (await serveOriginal(req(), e, files))!;
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    rmSync(file);
    expect(await serveOriginal(req(), e, files)).toBeNull();
  });
});
