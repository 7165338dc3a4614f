/** G12: RootFiles opens a file and proves on the descriptor that it is a regular file inside the root. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FolderReader } from "../../src/gallery/scan.ts";
import { RootFiles } from "../../src/media/root-file.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const base = tempDir("lenslet-rootfile-");
afterAll(() => removeDir(base));
const root = join(base, "root");
// A sibling whose name starts with the root's: inside by string prefix, outside by components.
const evil = join(base, "root-evil");
mkdirSync(join(root, "sub"), { recursive: true });
mkdirSync(join(root, ".lenslet"), { recursive: true });
mkdirSync(join(root, ".hidden"), { recursive: true });
mkdirSync(evil, { recursive: true });
writeFileSync(join(root, "a.jpg"), "inside");
writeFileSync(join(root, "sub", "b.jpg"), "inside too");
writeFileSync(join(root, ".lenslet", "labels.log.jsonl"), "the journal");
writeFileSync(join(root, ".hidden", "h.jpg"), "hidden");
writeFileSync(join(evil, "x.jpg"), "SECRET");
symlinkSync(join(evil, "x.jpg"), join(root, "evil.jpg"));
symlinkSync("sub/b.jpg", join(root, "alias.jpg"));
symlinkSync(".lenslet/labels.log.jsonl", join(root, "journal.jpg"));
symlinkSync(".hidden/h.jpg", join(root, "hidden.jpg"));
symlinkSync("sub", join(root, "dir.jpg"));
Bun.spawnSync(["mkfifo", join(root, "fifo.jpg")]);

const rules = new FolderReader(root, [join(root, ".lenslet")]);

for (const viaProc of [true, false]) {
  describe(`RootFiles (${viaProc ? "/proc/self/fd" : "realpath + device and inode"})`, () => {
    const warnings: string[] = [];
    const files = new RootFiles(rules, { viaProc, log: { warn: (m) => warnings.push(m) } });
    const open = (rel: string) => files.open(join(root, rel));

    test("G12: files inside the root open, directly or through an in-root link; bytes come from the descriptor", async () => {
      for (const [rel, text] of [
        ["a.jpg", "inside"],
        ["alias.jpg", "inside too"],
      ] as const) {
        const r = open(rel);
        if (r.kind !== "ok") throw new Error(`${rel}: ${r.kind}`);
        expect(r.file.size).toBe(text.length);
        expect((await r.file.read()).toString()).toBe(text);
        expect(r.file.readNow(1, 3).toString()).toBe(text.slice(1, 3));
        r.file.close();
        r.file.close();
      }
    });

    test("G12: outside (component-wise), hidden, workspace, a folder and a FIFO are refused; a missing file is missing", () => {
      for (const rel of ["evil.jpg", "journal.jpg", "hidden.jpg", "dir.jpg", "fifo.jpg"]) {
        expect({ rel, kind: open(rel).kind }).toEqual({ rel, kind: "refused" });
      }
      expect(open("nope.jpg").kind).toBe("missing");
      expect(files.open(join(evil, "x.jpg")).kind).toBe("refused");
    });

    test("G12: a file opened before its name is swapped keeps reading its own bytes", async () => {
      writeFileSync(join(root, `swap-${viaProc}.jpg`), "mine");
      const r = open(`swap-${viaProc}.jpg`);
      if (r.kind !== "ok") throw new Error(r.kind);
      const t = join(root, ".t");
      symlinkSync(join(evil, "x.jpg"), t);
      renameSync(t, join(root, `swap-${viaProc}.jpg`));
      expect((await r.file.read()).toString()).toBe("mine");
      r.file.close();
      expect(open(`swap-${viaProc}.jpg`).kind).toBe("refused");
    });

    test("G12: a refusal is logged once per file, naming why", () => {
      const before = warnings.length;
      open("evil.jpg");
      open("evil.jpg");
      expect(warnings.length).toBe(before);
      expect(warnings.some((w) => w.includes("evil.jpg") && w.includes("outside"))).toBe(true);
    });
  });
}
