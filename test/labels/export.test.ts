/**
 * CSV export is safe to open in a spreadsheet and exact to read back: through
 * the real server, with labels written over HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
// decodeTags is checked on known cells and by round trip in test/dataset/seed-labels.test.ts.
import { csvText, decodeTags, encodeTags } from "../../src/labels/export.ts";
import type { ExportRow } from "../../src/labels/schema.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { parseCsv } from "./helpers.ts";

const FORMULA_NAME = "=HYPERLINK(1).jpg";
const NOTES = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(1)", "\tTAB", "\rCR", "'=quoted", "plain - text"];

let app: TestLenslet;
beforeAll(async () => {
  const files: Record<string, object> = { [FORMULA_NAME]: {} };
  NOTES.forEach((_, i) => {
    files[`n${i}.jpg`] = {};
  });
  app = await startTestLenslet(files);
  const write = (path: string, body: object, name = "Ana") =>
    app
      .get(`/item?path=${encodeURIComponent(path)}`, {
        method: "PATCH",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": crypto.randomUUID(),
          "X-Lenslet-Name": encodeURIComponent(name),
        },
        body: JSON.stringify({ base_version: 1, ...body }),
      })
      .then((r) => expect(r.status).toBe(200));
  await Promise.all(NOTES.map((notes, i) => write(`/n${i}.jpg`, { set_notes: notes })));
  await write(
    `/${FORMULA_NAME}`,
    {
      set_star: 3,
      set_tags: ["a|b", "c", "back\\slash", "=t", "end\\"],
      set_metrics: { score: -0.5 },
    },
    "=evil()",
  );
});
afterAll(() => app.dispose());

/** What a careful reader does with a text cell: drop the one ' the export added. */
const text = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
async function both() {
  const csv = await (await app.get("/export?format=csv&recursive=1")).text();
  const json = (await (await app.get("/export?format=json&recursive=1")).json()) as ExportRow[];
  return { csv, rows: parseCsv(csv), json };
}

describe("CSV export (L13)", () => {
  test("L13: text cells starting with = + - @ tab CR (or ') get one ' and are quoted; plain text is untouched", async () => {
    const { csv, rows } = await both();
    for (const [i, notes] of NOTES.entries()) {
      const row = rows.find((r) => r.path === `/n${i}.jpg`)!;
      if (notes === "plain - text") expect(row.notes).toBe(notes);
      else expect(row.notes).toBe(`'${notes}`);
    }
    // Exact bytes: the neutralised cell is quoted.
    expect(csv).toContain(`,"'=1+2",`);
    expect(csv).toContain(`,"'@SUM(1)",`);
    expect(csv).toContain(`,plain - text,`);
    const f = rows.find((r) => r.path === `/${FORMULA_NAME}`)!;
    expect(f.name).toBe(`'${FORMULA_NAME}`);
    expect(f.updated_by).toBe("'=evil() (api)");
    expect(csv).toContain(`,"'${FORMULA_NAME}",`);
  });

  test("L13: number cells stay numbers (a negative metric is not prefixed)", async () => {
    const { csv, rows } = await both();
    const f = rows.find((r) => r.path === `/${FORMULA_NAME}`)!;
    expect(f["metrics.score"]).toBe("-0.5");
    expect(f.star).toBe("3");
    expect(csv).toMatch(/,-0\.5\r?\n|,-0\.5$/m);
  });

  test("L13: tags with | and \\ round-trip through a CSV parser exactly; JSON keeps the array", async () => {
    const { rows, json } = await both();
    const f = rows.find((r) => r.path === `/${FORMULA_NAME}`)!;
    expect(f.tags).toBe("a\\|b|c|back\\\\slash|=t|end\\\\");
    const tags = ["a|b", "c", "back\\slash", "=t", "end\\"];
    expect(decodeTags(text(f.tags))).toEqual(tags);
    expect(json.find((r) => r.path === `/${FORMULA_NAME}`)!.tags).toEqual(tags);
  });

  test("L13: every text cell reads back to the JSON export's value", async () => {
    const { rows, json } = await both();
    expect(rows.length).toBe(json.length);
    for (const j of json) {
      const r = rows.find((x) => text(x.path) === j.path)!;
      expect({
        path: text(r.path),
        folder: text(r.folder),
        name: text(r.name),
        notes: text(r.notes),
        updated_by: text(r.updated_by),
        tags: decodeTags(text(r.tags)),
      }).toEqual({
        path: j.path,
        folder: j.folder,
        name: j.name,
        notes: j.notes,
        updated_by: j.updated_by ?? "",
        tags: j.tags,
      });
    }
  });

  test("L13: the two encodings are total (pure)", () => {
    expect(csvText("")).toBe("");
    expect(csvText("a=b")).toBe("a=b");
    expect(csvText("-")).toBe("'-");
    expect(encodeTags([])).toBe("");
    expect(encodeTags(["|", "\\"])).toBe("\\||\\\\");
    expect(decodeTags(encodeTags(["|", "\\", "", "x"]))).toEqual(["|", "\\", "", "x"]);
  });
});
