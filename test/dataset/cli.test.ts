/** `lenslet TABLE` on the command line (D1, D5, D10): parsing, exit 2 for a bad table, the workspace beside it. */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCli, UsageError } from "../../src/cli.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
const dir = tempDir("lenslet-cli-table-");
afterAll(() => removeDir(dir));

function run(args: string[]) {
  const p = Bun.spawnSync([process.execPath, "run", MAIN, ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, err: p.stderr.toString() };
}

describe("lenslet TABLE command line", () => {
  test("D1: a table file is served with its folder as the base; --base-dir and --path-column", () => {
    const table = join(dir, "t.csv");
    writeFileSync(table, "path\na.jpg\n");
    const o = parseCli([table], () => {});
    expect(o).toMatchObject({ table, dir });
    const sub = join(dir, "imgs");
    require("node:fs").mkdirSync(sub);
    expect(parseCli([table, "--base-dir", sub, "--path-column", "path"], () => {})).toMatchObject({
      table,
      dir: sub,
      pathColumn: "path",
    });
    expect(() => parseCli([table, "--base-dir", join(dir, "none")], () => {})).toThrow(UsageError);
    expect(() => parseCli([dir, "--path-column", "x"], () => {})).toThrow(
      "--path-column and --base-dir need a table",
    );
  });

  test("D5: a bad or missing table is one line on stderr and exit 2", () => {
    writeFileSync(join(dir, "ragged.csv"), "path,a\nx.jpg,1,2\n");
    const ragged = run([join(dir, "ragged.csv"), "--port", "0"]);
    expect(ragged.code).toBe(2);
    expect(ragged.err.trim().split("\n")).toEqual([
      `lenslet: ${join(dir, "ragged.csv")}: line 2: 3 fields, the header has 2`,
    ]);
    const missing = run([join(dir, "nope.parquet"), "--port", "0"]);
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toBe(`lenslet: ${join(dir, "nope.parquet")}: cannot read (ENOENT)`);
    writeFileSync(join(dir, "nocol.jsonl"), '{"name":"a"}\n');
    const nocol = run([join(dir, "nocol.jsonl"), "--port", "0"]);
    expect(nocol.code).toBe(2);
    expect(nocol.err).toContain("no image column");
  });
});
