/**
 * The demo dataset (`lenslet --demo table`, D22): a folder of small generated images (the demo's scenes,
 * 320–480 px long edge, JPEG) with `demo.parquet` beside them, one row per image (src/gallery/demo-table.ts).
 * Made once, into a temporary sibling renamed into place (a crash leaves nothing half made), and reused
 * while its marker names the same generator version and row count.
 */
import { utimesSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import sharp from "sharp";
import { writeFileDurably } from "../core/durable-file.ts";
import { buildAtomically, markerMatches, runPool } from "./demo.ts";
import { sceneSvg } from "./demo-scenes.ts";
import {
  DEMO_TABLE_FILE,
  DEMO_TABLE_ROWS,
  type DemoImageSpec,
  type DemoMeasures,
  type DemoRow,
  demoTableParquet,
  demoTablePlan,
  demoTableRow,
} from "./demo-table.ts";

/** Raised when the images or the table change shape: an older dataset is made again. */
export const DEMO_DATASET_VERSION = 1;
const MARKER = ".lenslet-demo-table.json";

export interface DemoDatasetOptions {
  /** Rows (one image each); default DEMO_TABLE_ROWS. */
  rows?: number;
  onProgress?: (done: number, total: number) => void;
  /** Images drawn at once; default twice the cores (libvips encodes on its own threads). */
  concurrency?: number;
}

export interface DemoDataset {
  /** The folder: the images, the table, the marker. */
  dir: string;
  /** The table file inside it. */
  table: string;
  rows: number;
}

/** Draws one image and measures its mean brightness and colourfulness (both 0..1) on the same pixels. */
export async function renderDemoImage(
  spec: DemoImageSpec,
): Promise<{ bytes: Uint8Array; measures: DemoMeasures }> {
  const svg = Buffer.from(sceneSvg(spec.kind, spec.seed, spec.width, spec.height, null));
  const { data, info } = await sharp(svg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let luma = 0;
  let chroma = 0;
  let n = 0;
  // Every 3rd pixel is plenty for a mean.
  for (let i = 0; i + 2 < data.length; i += 9) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    luma += 0.2126 * r + 0.7152 * g + 0.0722 * b;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
    n++;
  }
  const jpeg = await sharp(data, {
    raw: { width: info.width, height: info.height, channels: info.channels },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
  return {
    bytes: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength),
    measures: { brightness: luma / n / 255, colorfulness: chroma / n / 255 },
  };
}

/** True when `dir` holds a finished demo dataset of `rows` rows made by this generator. */
export function demoDatasetReady(dir: string, rows: number = DEMO_TABLE_ROWS): boolean {
  return markerMatches(resolve(dir), MARKER, { version: DEMO_DATASET_VERSION, rows });
}

/** Returns the demo dataset in `dir`, making it first if it is missing, of another size or generator. */
export async function ensureDemoDataset(
  dir: string,
  opts: DemoDatasetOptions = {},
): Promise<DemoDataset> {
  const target = resolve(dir);
  const rows = opts.rows ?? DEMO_TABLE_ROWS;
  const result = { dir: target, table: join(target, DEMO_TABLE_FILE), rows };
  if (demoDatasetReady(target, rows)) return result;
  const plan = demoTablePlan(rows);
  await buildAtomically(target, MARKER, { version: DEMO_DATASET_VERSION, rows }, async (tmp) => {
    for (const folder of new Set(plan.map((s) => dirname(s.path))))
      await mkdir(join(tmp, folder), { recursive: true });
    const table: DemoRow[] = new Array(plan.length);
    const index = new Map(plan.map((s, i) => [s, i]));
    let done = 0;
    opts.onProgress?.(0, plan.length);
    await runPool(
      plan,
      opts.concurrency ?? Math.max(2, availableParallelism() * 2),
      async (spec) => {
        const { bytes, measures } = await renderDemoImage(spec);
        const row = demoTableRow(spec, measures);
        table[index.get(spec)!] = row;
        const file = join(tmp, spec.path);
        await writeFile(file, bytes);
        // The file's date is the photo's: the @date field and the table's `taken` agree.
        utimesSync(file, row.taken, row.taken);
        opts.onProgress?.(++done, plan.length);
      },
    );
    writeFileDurably(join(tmp, DEMO_TABLE_FILE), demoTableParquet(table), 0o644);
    return {};
  });
  return result;
}
