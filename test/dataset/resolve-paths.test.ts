/** Table rows → files by the root rules (D2), missing files kept and counted (D3). */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolvePaths } from "../../src/dataset/resolve-paths.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const outside = tempDir("lenslet-outside-");
const base = tempDir("lenslet-base-");
writeFileSync(join(outside, "secret.jpg"), "secret");
mkdirSync(join(base, "ok"), { recursive: true });
writeFileSync(join(base, "ok", "a.jpg"), "a");
writeFileSync(join(base, "top.jpg"), "t");
mkdirSync(join(base, ".hidden"));
writeFileSync(join(base, ".hidden", "h.jpg"), "h");
mkdirSync(join(base, "ws"));
writeFileSync(join(base, "ws", "w.jpg"), "w");
symlinkSync(join(outside, "secret.jpg"), join(base, "ok", "link-out.jpg"));
symlinkSync(join(base, "top.jpg"), join(base, "ok", "link-in.jpg"));
symlinkSync(outside, join(base, "dir-out"));
afterAll(() => {
  removeDir(base);
  removeDir(outside);
});

const resolveOne = (v: unknown) =>
  resolvePaths([v], { baseDir: base, exclude: [join(base, "ws")] });

describe("D2 path resolution through table rows", () => {
  test("D2: relative paths and absolute paths inside the base resolve inside it", () => {
    const r = resolvePaths(["ok/a.jpg", join(base, "top.jpg"), "./ok//a.jpg", "ok\\link-in.jpg"], {
      baseDir: base,
    });
    expect(r.rows.map((x) => [x.row, x.path, x.missing])).toEqual([
      [0, "/ok/a.jpg", false],
      [1, "/top.jpg", false],
      [3, "/ok/link-in.jpg", false],
    ]);
    expect(r.skipped).toEqual({ duplicate: 1 });
    for (const x of r.rows) expect(x.fsPath.startsWith(r.root)).toBe(true);
  });

  test("D2: a repeated name keeps its first row, in rising or any order; rising names are marked sorted", () => {
    const rising = resolvePaths(["d/img2.jpg", "d/img10.jpg", "e/x.jpg", "d/img11.jpg"], {
      baseDir: base,
    });
    expect(rising.skipped).toEqual({});
    expect(rising.folders.map((f) => [f.path, f.sorted])).toEqual([
      ["/d", true],
      ["/e", true],
    ]);
    const mixed = resolvePaths(["d/b.jpg", "d/a.jpg", "e/x.jpg", "d/b.jpg", "d/c.jpg", "d/a.jpg"], {
      baseDir: base,
    });
    expect(mixed.skipped).toEqual({ duplicate: 2 });
    expect(mixed.rows.map((x) => [x.row, x.path])).toEqual([
      [0, "/d/b.jpg"],
      [1, "/d/a.jpg"],
      [2, "/e/x.jpg"],
      [4, "/d/c.jpg"],
    ]);
    expect(mixed.folders[0]!.sorted).toBe(false);
  });

  test.each([
    ["../outside.jpg", "invalid_path"],
    ["ok/../../etc/passwd", "invalid_path"],
    ["/etc/passwd", "outside_base"],
    [join(outside, "secret.jpg"), "outside_base"],
    [`${base}/../${outside.split("/").pop()}/secret.jpg`, "invalid_path"],
    ["C:\\Windows\\win.ini", "outside_base"],
    ["ok/a.jpg\u0000.png", "invalid_path"],
    ["https://example.com/a.jpg", "url"],
    ["file:///etc/passwd", "url"],
    ["s3://bucket/a.jpg", "url"],
    ["data:image/png;base64,AAAA", "url"],
    ["ok/link-out.jpg", "symlink_outside_base"],
    ["dir-out/secret.jpg", "symlink_outside_base"],
    [".hidden/h.jpg", "hidden"],
    ["ws/w.jpg", "workspace"],
    ["", "empty"],
    [null, "empty"],
    [42, "invalid_path"],
  ])("D2: %p is refused (%s) and never becomes a file path", (value, reason) => {
    const r = resolveOne(value);
    expect(r.rows).toEqual([]);
    expect(r.skipped).toEqual({ [reason]: 1 });
    expect(r.examples[0]!.reason as string).toBe(reason);
  });

  test("D3: a row whose file does not exist is kept, counted as missing, still inside the base", () => {
    const r = resolvePaths(["ok/a.jpg", "ok/gone.jpg", "nofolder/x.jpg", "ok"], { baseDir: base });
    expect(r.rows.map((x) => [x.path, x.missing])).toEqual([
      ["/ok/a.jpg", false],
      ["/ok/gone.jpg", true],
      ["/nofolder/x.jpg", true],
      ["/ok", true], // a folder is not an image file
    ]);
    expect(r.missing).toBe(3);
    for (const x of r.rows) expect(x.fsPath.startsWith(r.root)).toBe(true);
  });
});

describe("D2 fast path", () => {
  test("D2: a path taken without canonicalPath is exactly what canonicalPath gives, never hidden, a URL or absolute", () => {
    const fc = require("fast-check") as typeof import("fast-check");
    const { simpleCanonical } = require("../../src/dataset/resolve-paths.ts");
    const { canonicalPath } = require("../../src/core/paths.ts");
    const ch = fc.constantFrom("a", "B", "1", ".", "/", "\\", " ", ":", "é", "-", "~", "\0", "\t");
    fc.assert(
      fc.property(
        fc.array(ch, { maxLength: 12 }).map((a) => a.join("")),
        (v) => {
          const fast = simpleCanonical(v);
          if (fast === null) return;
          expect(fast).toBe(canonicalPath(v));
          expect(fast.includes("/.")).toBe(false);
          expect(v.includes(":") || v.startsWith("/")).toBe(false);
        },
      ),
      { numRuns: 5000 },
    );
    expect(simpleCanonical("d1/img-1.jpg")).toBe("/d1/img-1.jpg");
    for (const v of [
      "./a.jpg",
      "a//b.jpg",
      "a/../b",
      ".h/x",
      "a/.h",
      "data:x",
      "/abs",
      "a\\b",
      "a /b",
      "é.jpg",
    ])
      expect(simpleCanonical(v)).toBeNull();
  });
});
