/**
 * The demo's table (issue 11 item 8, D22): `demo-table/demo.parquet` beside the demo gallery (not inside it:
 * the folder demo would list the file and the table's workspace as stray files), one row per demo image with
 * model-like scores, a scene category, a caption, a taken date and an 8-float embedding, so
 * `lenslet .cache/demo-table/demo.parquet --base-dir .cache/demo-gallery` shows histograms, value counts, find
 * similar and saved views.
 * Deterministic (seeded): the same table on every machine. Embeddings cluster by scene, so "Find similar"
 * on a cat finds cats first.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileDurably } from "../core/durable-file.ts";
import { type DemoSpec, demoPlan } from "./demo.ts";

export const DEMO_TABLE = "demo.parquet";
const DIM = 8;

/** A small seeded generator (mulberry32): the table is the same everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal (sum of uniforms), mean 0, sd ≈ 1. */
const gauss = (r: () => number) => r() + r() + r() + r() - 2;

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

export interface DemoRow {
  path: string;
  aesthetic: number;
  sharpness: number;
  clip_score: number;
  nsfw: number;
  scene: string;
  caption: string;
  taken: Date;
  embedding: number[];
}

/** One row per demo image; scores depend on the scene so filters and histograms have shape. */
export function demoTableRows(plan: readonly DemoSpec[] = demoPlan()): DemoRow[] {
  const kinds = [...new Set(plan.map((s) => s.kind))].sort();
  const centre = new Map(
    kinds.map((k, i) => {
      const r = rng(1000 + i);
      return [k, Array.from({ length: DIM }, () => gauss(r))];
    }),
  );
  return plan.map((spec) => {
    const r = rng(spec.seed * 7919 + spec.path.length);
    const k = kinds.indexOf(spec.kind);
    const c = centre.get(spec.kind) ?? [];
    return {
      path: spec.path,
      aesthetic: round(Math.min(10, Math.max(0, 5 + (k % 4) * 0.6 + gauss(r) * 1.2)), 2),
      sharpness: round(Math.max(0, 0.5 + gauss(r) * 0.18)),
      clip_score: round(Math.min(1, Math.max(0, 0.28 + 0.02 * (k % 5) + gauss(r) * 0.04))),
      nsfw: round(r() ** 6),
      scene: spec.kind,
      caption: `A ${spec.kind} picture, ${spec.width}×${spec.height}, ${spec.format}`,
      taken: new Date(spec.mtimeMs - Math.floor(r() * 86_400_000 * 30)),
      embedding: c.map((x) => round(x + gauss(r) * 0.35, 5)),
    };
  });
}

/** Writes `dir/demo.parquet` (paths relative to the demo gallery) unless it is there already; returns its path. */
export function ensureDemoTable(dir: string): string {
  const file = join(dir, DEMO_TABLE);
  mkdirSync(dir, { recursive: true });
  if (existsSync(file)) return file;
  const rows = demoTableRows();
  const col = <K extends keyof DemoRow>(k: K) => rows.map((r) => r[k]);
  const text = (name: string) => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8" }) as const;
  const real = (name: string) => ({ name, type: "DOUBLE" }) as const;
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "path", data: col("path") },
      { name: "aesthetic", data: col("aesthetic") },
      { name: "sharpness", data: col("sharpness") },
      { name: "clip_score", data: col("clip_score") },
      { name: "nsfw", data: col("nsfw") },
      { name: "scene", data: col("scene") },
      { name: "caption", data: col("caption") },
      { name: "taken", data: col("taken") },
      { name: "embedding", data: col("embedding") },
    ],
    // A list of floats (Parquet's LIST of FLOAT) is what the loader reads as an embedding.
    schema: [
      { name: "root", num_children: 9 },
      text("path"),
      real("aesthetic"),
      real("sharpness"),
      real("clip_score"),
      real("nsfw"),
      text("scene"),
      text("caption"),
      { name: "taken", type: "INT64", converted_type: "TIMESTAMP_MILLIS" },
      { name: "embedding", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", type: "FLOAT", repetition_type: "REQUIRED" },
    ],
  });
  writeFileDurably(file, new Uint8Array(buffer), 0o644);
  return file;
}
