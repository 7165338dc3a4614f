import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  ancestorsOf,
  baseName,
  canonicalChild,
  canonicalPath,
  childPath,
  isWithin,
  PathError,
  parentOf,
  toFsPath,
  tryCanonicalPath,
} from "../../src/core/paths.ts";

describe("canonicalPath", () => {
  test("G1: one record for every spelling of a path", () => {
    for (const p of [
      "a/b.jpg",
      "/a/b.jpg",
      "/a//b.jpg",
      "a\\b.jpg",
      "/a/./b.jpg",
      "//a/b.jpg/",
      " /a/b.jpg",
    ]) {
      expect(canonicalPath(p)).toBe("/a/b.jpg");
    }
  });

  test("G1: the root is /", () => {
    for (const p of ["", "/", "//", ".", "./"]) expect(canonicalPath(p)).toBe("/");
  });

  test("G1: Unicode is NFC", () => {
    const decomposed = "cafe\u0301.jpg";
    expect(canonicalPath(decomposed)).toBe("/caf\u00e9.jpg");
  });

  test("G1: '..' segments, NUL and over-long paths are refused", () => {
    for (const p of [
      "../x",
      "/a/../../etc/passwd",
      "a\\..\\..\\x",
      "..",
      "/a/b\0.jpg",
      "x".repeat(5000),
    ]) {
      expect(() => canonicalPath(p)).toThrow(PathError);
      expect(tryCanonicalPath(p)).toBeNull();
    }
  });

  test("G1: file names keep their inner spaces and dots", () => {
    expect(canonicalPath("/a/ b .jpg")).toBe("/a/ b .jpg");
    expect(canonicalPath("/a/..b.jpg")).toBe("/a/..b.jpg");
  });

  test("G1: property: output is canonical and idempotent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "", ".", "c d", "é", "x.jpg", "\\")),
        (parts) => {
          const out = canonicalPath(parts.join("/"));
          expect(out.startsWith("/")).toBe(true);
          expect(out === "/" || !out.endsWith("/")).toBe(true);
          expect(out.includes("//")).toBe(false);
          expect(
            out
              .split("/")
              .slice(1)
              .some((s) => s === "." || s === ".."),
          ).toBe(false);
          expect(canonicalPath(out)).toBe(out);
        },
      ),
    );
  });
});

describe("canonicalChild", () => {
  test("G13: property: a name has no problem exactly when canonicalPath keeps it as one NFC segment", () => {
    const piece = fc.constantFrom(
      " ",
      "\\",
      "/",
      ".",
      "..",
      "a",
      "é",
      "e\u0301",
      "\u212a",
      "\u3000",
      "x.jpg",
      "\0",
    );
    fc.assert(
      fc.property(
        fc.constantFrom("/", "/a", "/caf\u00e9"),
        fc.oneof(
          fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join("")),
          fc.string(),
        ),
        (folder, name) => {
          const { path, problem } = canonicalChild(folder, name);
          const whole = tryCanonicalPath(childPath(folder, name));
          const own =
            whole !== null &&
            whole !== folder &&
            parentOf(whole) === folder &&
            whole === childPath(folder, name.normalize("NFC"));
          expect(problem === null).toBe(own);
          if (problem === null) expect(path).toBe(whole!);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("G13: only spaces, a backslash, a relative segment and an over-long path are named", () => {
    expect(canonicalChild("/", "   ").problem).toContain("only spaces");
    expect(canonicalChild("/", "a\\b.jpg").problem).toContain("backslash");
    expect(canonicalChild("/", "..").problem).toContain("relative");
    expect(canonicalChild("/", "x".repeat(5000)).problem).toContain("too long");
    expect(canonicalChild("/a", "cafe\u0301.jpg")).toEqual({
      path: "/a/caf\u00e9.jpg",
      name: "caf\u00e9.jpg",
      ascii: false,
      problem: null,
    });
  });
});

describe("path helpers", () => {
  test("parent, base name, child, ancestors", () => {
    expect(parentOf("/a/b/c.jpg")).toBe("/a/b");
    expect(parentOf("/c.jpg")).toBe("/");
    expect(parentOf("/")).toBe("/");
    expect(baseName("/a/b.jpg")).toBe("b.jpg");
    expect(childPath("/", "a")).toBe("/a");
    expect(childPath("/a", "b")).toBe("/a/b");
    expect(ancestorsOf("/a/b/c")).toEqual(["/", "/a", "/a/b"]);
    expect(ancestorsOf("/")).toEqual([]);
  });

  test("isWithin does not confuse /ab with /a", () => {
    expect(isWithin("/a/b.jpg", "/a")).toBe(true);
    expect(isWithin("/ab/b.jpg", "/a")).toBe(false);
    expect(isWithin("/anything", "/")).toBe(true);
  });

  test("toFsPath stays inside the root", () => {
    expect(toFsPath("/srv/img", "/a/b.jpg")).toBe("/srv/img/a/b.jpg");
    expect(() => toFsPath("/srv/img", "/../etc")).toThrow(PathError);
  });
});
