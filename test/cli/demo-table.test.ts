/**
 * `lenslet --demo table` (D22) as a person runs it: the real server process makes the demo table on first
 * use (saying so, with progress), serves it as a table whose histograms, value counts, filters and find
 * similar answer over HTTP, and reuses it on the next start. A bad `--demo` is a one-line error.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEMO_TABLE_ROWS } from "../../src/gallery/demo-table.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
const dirs: string[] = [];
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) removeDir(d);
});

function run(args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawnSync([process.execPath, "run", MAIN, ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  return { code: p.exitCode, err: p.stderr.toString() };
}

/** A demo folder of its own: LENSLET_DEMO_DIR names the gallery; the table is made beside it. */
function demoHome() {
  const d = tempDir("lenslet-demo-home-");
  dirs.push(d);
  return { LENSLET_DEMO_DIR: join(d, "gallery"), table: join(d, "demo-table") };
}

async function start(env: Record<string, string>) {
  const s = await startServerProcess(["--demo", "table", "--port", "0", "--no-watch"], {
    timeoutMs: 280_000,
    env,
  });
  servers.push(s);
  const json = async <T>(path: string): Promise<T> => {
    const r = await fetch(s.url + path);
    expect(r.status).toBe(200);
    return (await r.json()) as T;
  };
  return { s, json };
}

interface Health {
  mode: string;
  dataset: {
    rows: number;
    images: number;
    missing_files: number;
    fields: { name: string; kind: string }[];
  };
}
type Facet =
  | { kind: "histogram"; field: string; counts: number[]; whole: number[]; missing_whole: number }
  | { kind: "values"; field: string; values: { value: string | null; count: number }[] };
interface Facets {
  total: number;
  base_total: number;
  facets: Facet[];
}

const linesOf = (out: string) => out.split("\n");
const paths = (html: string) => [...html.matchAll(/data-path="([^"]+)"/g)].map((m) => m[1]!);

describe("--demo (D22)", () => {
  test("D22: a bad --demo, --demo with a DIR, or a bad LENSLET_DEMO_ROWS is one line and exit code 2", () => {
    const bad = run(["--demo", "tables"]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split("\n")).toEqual([
      "lenslet: option '--demo <kind>' argument 'tables' is invalid. expected gallery or table",
    ]);
    const withDir = run(["--demo", "table", "/tmp"]);
    expect(withDir.code).toBe(2);
    expect(withDir.err.trim().split("\n")).toEqual([
      "lenslet: --demo serves a built-in demo: give it no DIR (got /tmp)",
    ]);
    const rows = run(["--demo", "table"], { LENSLET_DEMO_ROWS: "lots" });
    expect(rows.code).toBe(2);
    expect(rows.err.trim()).toBe(
      "lenslet: LENSLET_DEMO_ROWS: expected a whole number from 1 to 100000",
    );
  });

  test("D22: --demo table makes the table on first use, serves it with histograms, value counts, filters and find similar, and reuses it", async () => {
    const home = demoHome();
    const env = { LENSLET_DEMO_DIR: home.LENSLET_DEMO_DIR, LENSLET_DEMO_ROWS: "300" };
    const { s, json } = await start(env);
    const lines = linesOf(s.output());
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^Making the demo table \(300 images\)…$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^Making the demo table \(300 images\): 300\/300, done$/)).toBeGreaterThan(0);
    expect(at(/Indexed 300 images .* — built-in demo table/)).toBeGreaterThan(0);
    // Plain `npm start`'s gallery is not made for it.
    expect(existsSync(home.LENSLET_DEMO_DIR)).toBe(false);

    const health = await json<Health>("/health");
    expect(health.mode).toBe("table");
    expect([health.dataset.rows, health.dataset.images, health.dataset.missing_files]).toEqual([
      300, 300, 0,
    ]);
    expect(Object.fromEntries(health.dataset.fields.map((f) => [f.name, f.kind]))).toMatchObject({
      scene: "category",
      split: "category",
      caption: "text",
      taken: "date",
      aesthetic: "metric",
      clip_score: "metric",
      brightness: "metric",
      embedding: "embedding",
    });

    // Histograms and value counts over the whole table.
    const all = await json<Facets>("/facets");
    expect(all.total).toBe(300);
    const hist = (f: Facets, name: string) =>
      f.facets.find((x) => x.kind === "histogram" && x.field === name) as Extract<
        Facet,
        { kind: "histogram" }
      >;
    const values = (f: Facets, name: string) =>
      f.facets.find((x) => x.kind === "values" && x.field === name) as Extract<
        Facet,
        { kind: "values" }
      >;
    const aesthetic = hist(all, "aesthetic");
    expect(aesthetic.whole).toHaveLength(40);
    expect(aesthetic.whole.reduce((a, b) => a + b, 0)).toBe(300);
    // A distribution with shape: many bins hold values, none holds them all.
    expect(aesthetic.whole.filter((n) => n > 0).length).toBeGreaterThan(15);
    expect(Math.max(...aesthetic.whole)).toBeLessThan(60);
    const clip = hist(all, "clip_score");
    expect(clip.missing_whole).toBeGreaterThan(0);
    const scenes = values(all, "scene").values;
    expect(scenes.reduce((a, v) => a + v.count, 0)).toBe(300);
    expect(scenes.length).toBeGreaterThanOrEqual(10);

    // A range on one metric narrows the others' histograms and the value counts (crossfilter).
    const dark = await json<Facets>("/facets?m.brightness=..0.3");
    expect(dark.total).toBeGreaterThan(0);
    expect(dark.total).toBeLessThan(300);
    expect(hist(dark, "aesthetic").counts.reduce((a, b) => a + b, 0)).toBe(dark.total);
    expect(values(dark, "scene").values.reduce((a, v) => a + v.count, 0)).toBe(dark.total);
    const cats = await json<Facets>("/facets?c.scene=cats");
    expect(cats.total).toBe(scenes.find((v) => v.value === "cats")?.count ?? -1);

    // The grid of the filtered view counts the same.
    const grid = await fetch(`${s.url}/grid/page?m.brightness=..0.3&limit=200`);
    expect(grid.headers.get("X-Total")).toBe(String(dark.total));

    // Find similar on a cat: the image itself first, then mostly cats.
    const catPage = await (await fetch(`${s.url}/grid/page?c.scene=cats&limit=1`)).text();
    const cat = paths(catPage)[0]!;
    expect(cat).toStartWith("/cat-");
    const inspector = await (
      await fetch(`${s.url}/inspector?path=${encodeURIComponent(cat)}`)
    ).text();
    expect(inspector).toContain('class="find-similar"');
    const similar = paths(
      await (
        await fetch(`${s.url}/grid/page?sort=${encodeURIComponent(`similar:${cat}`)}&limit=10`)
      ).text(),
    );
    expect(similar[0]).toBe(cat);
    expect(similar.filter((p) => p.startsWith("/cat-")).length).toBeGreaterThanOrEqual(8);

    // A thumbnail of a row is a real image.
    const thumb = await fetch(`${s.url}/thumb?path=${encodeURIComponent(cat)}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("Content-Type")).toBe("image/webp");

    // The next start reuses it: no "Making" line.
    await s.stop();
    servers.splice(servers.indexOf(s), 1);
    const again = await start(env);
    expect(again.s.output()).not.toContain("Making the demo table");
    expect((await again.json<Health>("/health")).dataset.rows).toBe(300);
  }, 300_000);

  test(`D22: by default the demo table is ${DEMO_TABLE_ROWS.toLocaleString("en-US")} images and rows`, async () => {
    const home = demoHome();
    const t0 = performance.now();
    const { s, json } = await start({ LENSLET_DEMO_DIR: home.LENSLET_DEMO_DIR });
    const ms = performance.now() - t0;
    const n = DEMO_TABLE_ROWS.toLocaleString("en-US");
    const lines = linesOf(s.output());
    expect(lines).toContain(`Making the demo table (${n} images)…`);
    expect(lines).toContain(
      `Making the demo table (${n} images): ${DEMO_TABLE_ROWS}/${DEMO_TABLE_ROWS}, done`,
    );
    const health = await json<Health>("/health");
    expect([health.dataset.rows, health.dataset.images, health.dataset.missing_files]).toEqual([
      DEMO_TABLE_ROWS,
      DEMO_TABLE_ROWS,
      0,
    ]);
    const facets = await json<Facets>("/facets");
    expect(facets.total).toBe(DEMO_TABLE_ROWS);
    process.stderr.write(`  first --demo table start: ${Math.round(ms)} ms\n`);
  }, 300_000);
});
