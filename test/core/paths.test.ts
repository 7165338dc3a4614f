import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  ancestorsOf,
  baseName,
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
