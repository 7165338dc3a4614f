/** Reading tables (D1), field detection (D4) and bad tables (D5). Fixtures are made per test in temp folders. */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { loadTable, tableFileOf } from "../../src/dataset/load-table.ts";
import type { Column } from "../../src/query/columns.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const dir = tempDir("lenslet-tables-");
afterAll(() => removeDir(dir));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const values = (c: Column | undefined): unknown[] => {
  if (!c) return [];
  if (c.kind === "category") return Array.from(c.codes, (k) => c.dict[k]);
  return Array.from(c.values as ArrayLike<unknown>);
};

describe("D1 Parquet", () => {
  test("D1 D4: numbers, timestamps, booleans, text and a list of floats become fields", async () => {
    const file = join(dir, "t.parquet");
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: "image", data: ["a.jpg", "b/c.jpg", "d.jpg"] },
        { name: "score", data: new Float32Array([0.5, Number.NaN, 2]) },
        { name: "wide", data: [1.5, null, 3] },
        { name: "count", data: [1n, 2n, null] },
        { name: "taken", data: [new Date(0), new Date(86_400_000), null] },
        { name: "ok", data: [true, false, null] },
        { name: "emb", data: [[3, 4], [0, 2], null] },
      ],
      schema: [
        { name: "root", num_children: 7 },
        { name: "image", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        { name: "score", type: "FLOAT", repetition_type: "OPTIONAL" },
        { name: "wide", type: "DOUBLE", repetition_type: "OPTIONAL" },
        { name: "count", type: "INT64", repetition_type: "OPTIONAL" },
        {
          name: "taken",
          type: "INT64",
          converted_type: "TIMESTAMP_MILLIS",
          repetition_type: "OPTIONAL",
        },
        { name: "ok", type: "BOOLEAN", repetition_type: "OPTIONAL" },
        { name: "emb", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "FLOAT", repetition_type: "REQUIRED" },
      ],
    });
    const t = await loadTable(file);
    expect(t.pathColumn).toBe("image");
    expect(Array.from(t.paths)).toEqual(["a.jpg", "b/c.jpg", "d.jpg"]);
    expect(t.table.get("score")!.kind).toBe("metric");
    expect((t.table.get("score") as { values: unknown }).values).toBeInstanceOf(Float32Array);
    expect(values(t.table.get("wide"))).toEqual([1.5, Number.NaN, 3]);
    expect(values(t.table.get("count"))).toEqual([1, 2, Number.NaN]);
    expect(t.table.get("taken")!.kind).toBe("date");
    expect(values(t.table.get("taken"))).toEqual([0, 86_400_000, Number.NaN]);
    expect(values(t.table.get("ok"))).toEqual(["true", "false", null]);
    const emb = t.table.get("emb")!;
    expect(emb.kind).toBe("embedding");
    expect(values(emb).map((v) => Math.round((v as number) * 1000) / 1000)).toEqual([
      0.6, 0.8, 0, 1, 0, 0,
    ]);
  });

  test("D1: an empty Parquet table (no rows) loads", async () => {
    const file = join(dir, "empty.parquet");
    parquetWriteFile({ filename: file, columnData: [{ name: "path", data: [], type: "STRING" }] });
    const t = await loadTable(file);
    expect(t.rows).toBe(0);
  });

  test("D1: a folder stands for its items.parquet", async () => {
    const folder = join(dir, "ds");
    require("node:fs").mkdirSync(folder, { recursive: true });
    parquetWriteFile({
      filename: join(folder, "items.parquet"),
      columnData: [{ name: "path", data: ["x.jpg"], type: "STRING" }],
    });
    expect(tableFileOf(folder)).toBe(join(folder, "items.parquet"));
    expect(tableFileOf(dir)).toBeNull(); // a folder without one is an image folder
    expect(tableFileOf(write("x.csv", "path\n"))).toBe(join(dir, "x.csv"));
    expect(tableFileOf(write("x.txt", "path\n"))).toBeNull();
  });
});

describe("D1 CSV and TSV", () => {
  test("D1: quoting (commas, quotes, newlines), missing values, NaN, dates", async () => {
    const file = write(
      "q.csv",
      [
        "path,caption,score,when",
        '"a,1.jpg","say ""hi""",0.5,2026-11-22',
        'b.jpg,"two\nlines",NaN,2026-11-23T10:00:00Z',
        "c.jpg,,,",
        "",
      ].join("\n"),
    );
    const t = await loadTable(file);
    expect(Array.from(t.paths)).toEqual(["a,1.jpg", "b.jpg", "c.jpg"]);
    expect(values(t.table.get("caption"))).toEqual(['say "hi"', "two\nlines", null]);
    expect(t.table.get("score")!.kind).toBe("metric");
    expect(values(t.table.get("score"))).toEqual([0.5, Number.NaN, Number.NaN]);
    expect(t.table.get("when")!.kind).toBe("date");
    expect(values(t.table.get("when"))).toEqual([
      Date.parse("2026-11-22"),
      Date.parse("2026-11-23T10:00:00Z"),
      Number.NaN,
    ]);
  });

  test("D4: few distinct strings are a category, many are text, a stray word makes numbers text", async () => {
    const rows = Array.from({ length: 400 }, (_, i) =>
      [`${i}.jpg`, `class-${i % 12}`, `caption number ${i}`, i === 7 ? "n/a" : String(i)].join(","),
    );
    const t = await loadTable(write("d.csv", ["path,label,caption,id", ...rows].join("\n")));
    // 12 distinct ≤ max(10, 5 % of 400 = 20): category; 400 distinct captions: text.
    expect(t.fields.map((f) => [f.name, f.kind])).toEqual([
      ["path", "path"],
      ["label", "category"],
      ["caption", "text"],
      ["id", "text"],
    ]);
  });

  test("D4: label-like columns are recorded as seeds, not fields", async () => {
    const t = await loadTable(write("s.csv", "path,rating,tags,notes\na.jpg,4,x|y,hello\n"));
    expect(t.fields.filter((f) => f.kind === "seed").map((f) => [f.name, f.seed])).toEqual([
      ["rating", "star"],
      ["tags", "tags"],
      ["notes", "notes"],
    ]);
    expect(t.table.columns.size).toBe(0);
  });

  test("D1: a .csv separated by semicolons (the header says so) reads; a comma in its header keeps commas", async () => {
    const semi = await loadTable(
      write("semi.csv", "path;score;note;n\na.jpg;0,37;x,y;-1,5e3\nb.jpg;2;;3.25\n"),
    );
    // Its numbers may have a decimal comma; a point still reads.
    expect(values(semi.table.get("score"))).toEqual([0.37, 2]);
    expect(values(semi.table.get("n"))).toEqual([-1500, 3.25]);
    expect(semi.fields.map((f) => f.name)).toEqual(["path", "score", "note", "n"]);
    const comma = await loadTable(write("comma.csv", "path,note\na.jpg,x;y\n"));
    expect(comma.fields.map((f) => f.name)).toEqual(["path", "note"]);
  });

  test("D1: TSV, a header-only table, and a large one", async () => {
    const tsv = await loadTable(write("t.tsv", "file\tscore\nx.jpg\t1\ny.jpg\t-2.5e3\n"));
    expect(values(tsv.table.get("score"))).toEqual([1, -2500]);
    expect((await loadTable(write("h.csv", "path,score\n"))).rows).toBe(0);
    const n = 50_000;
    const big = ["path,score", ...Array.from({ length: n }, (_, i) => `f${i}.jpg,${i / 2}`)];
    const t = await loadTable(write("big.csv", big.join("\n")));
    expect(t.rows).toBe(n);
    expect(values(t.table.get("score"))[n - 1]).toBe((n - 1) / 2);
  });
});

describe("D1 JSONL", () => {
  test("D1 D4: typed values, missing keys, blank lines, ISO dates, lists", async () => {
    const file = write(
      "t.jsonl",
      [
        JSON.stringify({ path: "a.jpg", score: 1, tag: "cat", at: "2026-01-01", v: [1, 0] }),
        "",
        JSON.stringify({ path: "b.jpg", score: null, v: [0, 5] }),
        JSON.stringify({ path: "c.jpg", score: 2.5, tag: "dog", extra: true }),
      ].join("\n"),
    );
    const t = await loadTable(file);
    expect(t.rows).toBe(3);
    expect(values(t.table.get("score"))).toEqual([1, Number.NaN, 2.5]);
    expect(values(t.table.get("tag"))).toEqual(["cat", null, "dog"]);
    expect(t.table.get("at")!.kind).toBe("date");
    expect(values(t.table.get("extra"))).toEqual([null, null, "true"]);
    expect(t.table.get("v")!.kind).toBe("embedding");
  });
});

describe("D5 bad tables", () => {
  const fails = async (file: string, message: RegExp, opts = {}) => {
    const err = await loadTable(file, opts).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe("TableError");
    expect(err!.message).toMatch(message);
    expect(err!.message).not.toContain("\n");
    expect(err!.message.startsWith(file)).toBe(true);
  };

  test("D5: a ragged CSV names its line", async () => {
    await fails(
      write("r.csv", "path,score\na.jpg,1\nb.jpg,2,3\n"),
      /line 3: 3 fields, the header has 2/,
    );
  });
  test("D5: an unclosed quote names its line", async () => {
    await fails(write("u.csv", 'path,caption\na.jpg,"open\n'), /line \d+/);
  });
  test("D5: no image column, or an unknown --path-column", async () => {
    await fails(write("n.csv", "name,score\na,1\n"), /no image column \(looked for path, image/);
    await fails(write("p.csv", "path\na.jpg\n"), /no column 'img' \(columns: path\)/, {
      pathColumn: "img",
    });
  });
  test("D5: JSONL that is not JSON, or not an object, names its line", async () => {
    await fails(write("b.jsonl", '{"path":"a.jpg"}\n{oops\n'), /line 2: not JSON/);
    await fails(write("a.jsonl", '{"path":"a.jpg"}\n\n[1,2]\n'), /line 3: not a JSON object/);
  });
  test("D5: wrong types name the column and both lines", async () => {
    await fails(
      write("w.jsonl", '{"path":"a.jpg","s":1}\n{"path":"b.jpg","s":"high"}\n'),
      /line 2: column 's' holds a string here but a number at line 1/,
    );
    await fails(
      write("x.jsonl", '{"path":3}\n'),
      /line 1: column 'path' holds a number, not a path/,
    );
    // A column of objects only is ignored (test/dataset/seed-labels.test.ts); mixed with numbers it is refused.
    await fails(
      write("o.jsonl", '{"path":"a.jpg","m":1}\n{"path":"b.jpg","m":{"k":1}}\n'),
      /line 2: column 'm' holds an object/,
    );
    await fails(
      write("e.jsonl", '{"path":"a.jpg","v":[1,2]}\n{"path":"b.jpg","v":[1]}\n'),
      /line 2: column 'v' has a list of 1 numbers here, 2 above/,
    );
  });
  test("D5: unreadable, empty or not Parquet at all", async () => {
    await fails(write("bad.parquet", "this is not parquet"), /not a Parquet file/);
    await fails(write("empty.csv", ""), /empty table: no header line/);
    await fails(join(dir, "nope.csv"), /cannot read \(ENOENT\)/);
    await fails(write("dup.csv", "path,a,a\n"), /line 1: column 'a' twice/);
  });
});
