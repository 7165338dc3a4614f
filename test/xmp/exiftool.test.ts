/**
 * Proof with a real reader (X7): exiftool (Debian's libimage-exiftool-perl,
 * installed by scripts/ensure-test-tools.sh) reads what Lenslet writes, and
 * Lenslet reads what exiftool writes, the way Lightroom, darktable and
 * digiKam fill sidecars.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { labelsFromXmp, mergeLabelsIntoXmp } from "../../src/xmp/labels.ts";

const dir = fs.mkdtempSync(join(os.tmpdir(), "lenslet-xmp-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function exiftool(...args: string[]): string {
  const r = Bun.spawnSync(["exiftool", ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`exiftool ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function readBack(file: string): Record<string, unknown> {
  return JSON.parse(exiftool("-j", "-struct", "-XMP:all", file))[0];
}

let n = 0;
const fresh = (name = `s${++n}.xmp`) => join(dir, name);

describe("XMP with exiftool (X7)", () => {
  test("X7: exiftool reads Lenslet's Rating, Label, subject, hierarchical subject and description", () => {
    const file = fresh();
    fs.writeFileSync(
      file,
      mergeLabelsIntoXmp(null, {
        star: 4,
        flag: null,
        color: "purple",
        tags: ["cat", "place|paris", "Łódź 東京"],
        notes: 'two lines\nwith <markup> & "quotes"',
      }),
    );
    const got = readBack(file);
    expect(got.Rating).toBe(4);
    expect(got.Label).toBe("Purple");
    expect(got.Subject).toEqual(["cat", "place", "paris", "Łódź 東京"]);
    expect(got.HierarchicalSubject).toEqual(["cat", "place|paris", "Łódź 東京"]);
    expect(got.Description).toBe('two lines\nwith <markup> & "quotes"');
  });

  test("X7: a reject is Rating -1 to exiftool", () => {
    const file = fresh();
    fs.writeFileSync(
      file,
      mergeLabelsIntoXmp(null, { star: 5, flag: "reject", color: null, tags: [], notes: "" }),
    );
    expect(readBack(file).Rating).toBe(-1);
  });

  test("X7: Lenslet reads a sidecar exiftool wrote with the fields other tools write", () => {
    const file = fresh();
    exiftool(
      "-q",
      "-o",
      file,
      "-Rating=4",
      "-Label=Red",
      "-Subject=a",
      "-Subject=b",
      "-Subject=solo",
      "-HierarchicalSubject=a|b",
      "-Description=from exiftool",
      "-Creator=Ana",
      "-XMP-xmpMM:DocumentID=xmp.did:1234",
      "-XMP-photoshop:City=Paris",
    );
    expect(labelsFromXmp(fs.readFileSync(file, "utf8"))).toEqual({
      star: 4,
      flag: null,
      color: "red",
      // "a" and "b" are the levels of a|b (what Lightroom writes beside it); "solo" is a tag of its own.
      tags: ["a|b", "solo"],
      notes: "from exiftool",
    });
  });

  test("X7: digiKam's TagsList and a Rating of -1 read as hierarchical tags and a reject", () => {
    const file = fresh();
    exiftool("-q", "-o", file, "-Rating=-1", "-XMP-digiKam:TagsList=people/Ana", "-Label=Blue");
    expect(labelsFromXmp(fs.readFileSync(file, "utf8"))).toMatchObject({
      star: null,
      flag: "reject",
      color: "blue",
      tags: ["people|Ana"],
    });
  });

  test("X6: writing into exiftool's sidecar replaces Lenslet's fields and keeps every other one", () => {
    const file = fresh();
    exiftool(
      "-q",
      "-o",
      file,
      "-Rating=2",
      "-Label=Green",
      "-Subject=old",
      "-Creator=Ana",
      "-XMP-xmpMM:DocumentID=xmp.did:1234",
      "-XMP-photoshop:City=Paris",
      "-XMP-digiKam:TagsList=old",
    );
    const merged = mergeLabelsIntoXmp(fs.readFileSync(file, "utf8"), {
      star: 5,
      flag: null,
      color: null,
      tags: ["new|deep"],
      notes: "kept?",
    });
    fs.writeFileSync(file, merged);
    const got = readBack(file);
    expect(got).toMatchObject({
      Rating: 5,
      Subject: ["new", "deep"],
      HierarchicalSubject: ["new|deep"],
      // digiKam had its own list: it is kept in step.
      TagsList: ["new/deep"],
      Description: "kept?",
      Creator: ["Ana"],
      DocumentID: "xmp.did:1234",
      City: "Paris",
    });
    expect(got.Label).toBeUndefined();
    // And a second write changes nothing more than the fields.
    expect(
      mergeLabelsIntoXmp(merged, {
        star: 5,
        flag: null,
        color: null,
        tags: ["new|deep"],
        notes: "kept?",
      }),
    ).toBe(merged);
  });

  test("X6: sidecars of awkward labels all read back in exiftool (one run over all of them)", () => {
    const cases = Array.from({ length: 24 }, (_, i) => {
      const file = fresh();
      const tags = Array.from({ length: i % 4 }, (_, k) => `t${k}${"<&>|/\"'é]"[i % 10]}${i}`);
      fs.writeFileSync(
        file,
        mergeLabelsIntoXmp(null, {
          star: i % 6,
          flag: null,
          color: null,
          tags,
          notes: i % 2 ? ` note ${i} <&> ]]> ` : "",
        }),
      );
      return { file, tags, star: i % 6, notes: i % 2 ? ` note ${i} <&> ]]> ` : undefined };
    });
    const got = JSON.parse(exiftool("-j", "-struct", "-XMP:all", ...cases.map((c) => c.file)));
    cases.forEach((c, i) => {
      expect(got[i].Rating).toBe(c.star);
      expect(got[i].HierarchicalSubject).toEqual(c.tags.length ? c.tags : undefined);
      expect(got[i].Description).toBe(c.notes);
    });
  });
});
