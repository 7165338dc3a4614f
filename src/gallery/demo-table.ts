/**
 * The demo table's rows (issue 11 item 8, D22): a plan of small generated images (scene, size, seed) and,
 * once each is drawn and measured, its row: model-like scores whose distributions have shape (per-scene
 * means, a long tail, a few missing), two measured from the pixels (`brightness`, `colorfulness`), a `scene`
 * and a `split` category, a caption built from the scene's words, a `taken` date and a 16-float embedding
 * that clusters by scene, so "Find similar" on a cat finds cats first. Seeded: the same table everywhere.
 * src/gallery/demo-dataset.ts draws the images and writes the table.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import { rng, type SceneKind } from "./demo-scenes.ts";

/** Rows (and images) of the demo table unless LENSLET_DEMO_ROWS says otherwise. */
export const DEMO_TABLE_ROWS = 3000;
export const DEMO_TABLE_FILE = "demo.parquet";
const DIM = 16;

interface Scene {
  kind: Exclude<SceneKind, "sticker">;
  stem: string;
  /** Share of the rows (relative), so the scene's value counts are uneven. */
  weight: number;
  aspects: readonly number[];
  words: readonly string[];
}

const LANDSCAPE = [3 / 2, 4 / 3, 16 / 9] as const;
const MIXED = [1, 3 / 2, 2 / 3, 4 / 3, 3 / 4] as const;

const SCENES: readonly Scene[] = [
  {
    kind: "mountains",
    stem: "mountain",
    weight: 14,
    aspects: LANDSCAPE,
    words: ["a mountain range", "snowy peaks", "an alpine valley", "a pine forest below a ridge"],
  },
  {
    kind: "sea",
    stem: "sea",
    weight: 12,
    aspects: LANDSCAPE,
    words: ["a calm sea", "a sailing boat on the sea", "waves under the horizon", "the open ocean"],
  },
  {
    kind: "desert",
    stem: "dunes",
    weight: 7,
    aspects: LANDSCAPE,
    words: ["sand dunes", "a cactus in the desert", "dry desert hills"],
  },
  {
    kind: "birds",
    stem: "bird",
    weight: 10,
    aspects: MIXED,
    words: ["a bird on a branch", "a flock of birds in the sky", "a small songbird"],
  },
  {
    kind: "cats",
    stem: "cat",
    weight: 12,
    aspects: [1, 4 / 5, 5 / 4],
    words: ["a cat looking at the camera", "a cat's face", "a curious cat with whiskers"],
  },
  {
    kind: "fish",
    stem: "fish",
    weight: 7,
    aspects: MIXED,
    words: ["fish under water", "a bright fish among seaweed", "a school of fish"],
  },
  {
    kind: "gradient",
    stem: "gradient",
    weight: 7,
    aspects: MIXED,
    words: ["a smooth colour gradient", "a soft blurred background"],
  },
  {
    kind: "stripes",
    stem: "stripes",
    weight: 6,
    aspects: MIXED,
    words: ["diagonal stripes", "a striped pattern"],
  },
  {
    kind: "shapes",
    stem: "shapes",
    weight: 7,
    aspects: MIXED,
    words: ["scattered geometric shapes", "circles and triangles"],
  },
  {
    kind: "portrait",
    stem: "portrait",
    weight: 10,
    aspects: [2 / 3, 3 / 4, 4 / 5],
    words: ["a person", "a smiling face", "a head and shoulders"],
  },
  {
    kind: "city",
    stem: "skyline",
    weight: 8,
    aspects: [...LANDSCAPE, 2 / 3],
    words: ["a city skyline", "lit windows of tall buildings", "downtown towers"],
  },
];
const KINDS = SCENES.map((s) => s.kind);
/** Long edges of the images: small, so 3,000 of them are made in seconds and weigh a few dozen MB. */
const LONG_EDGES = [320, 360, 400, 440, 480] as const;
const TAKEN_FROM = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

/** One image of the demo table, before it is drawn. */
export interface DemoImageSpec {
  /** Relative to the table's folder, forward slashes. */
  path: string;
  kind: Exclude<SceneKind, "sticker">;
  width: number;
  height: number;
  seed: number;
}

/** What is measured on the drawn pixels (0..1). */
export interface DemoMeasures {
  brightness: number;
  colorfulness: number;
}

export interface DemoRow {
  path: string;
  scene: string;
  split: string;
  caption: string;
  taken: Date;
  aesthetic: number;
  /** null for a few rows: a score the model did not give, counted as missing. */
  clip_score: number | null;
  nsfw: number;
  brightness: number;
  colorfulness: number;
  embedding: number[];
}

// Caption parts: enough combinations that captions are free text (D4), not a category.
const SHOTS = ["close-up", "wide shot", "photo", "snapshot", "picture", "crop", "view", "frame"];
const SEASONS = ["winter", "spring", "summer", "autumn"];
const CAMERAS = ["phone", "film camera", "DSLR", "drone", "compact camera"];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Roughly normal (sum of uniforms), mean 0, sd ≈ 0.58. */
const gauss = (r: () => number) => r() + r() + r() + r() - 2;
const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The scene a draw in 0..(sum of weights) falls on. */
function byWeight(x: number): Scene {
  let left = x;
  for (const s of SCENES) {
    left -= s.weight;
    if (left < 0) return s;
  }
  return SCENES[SCENES.length - 1]!;
}

/** The `count` images of the demo table, scenes drawn by weight, numbered per scene. */
export function demoTablePlan(count: number = DEMO_TABLE_ROWS): DemoImageSpec[] {
  const r = rng(20_261_108);
  const total = SCENES.reduce((a, s) => a + s.weight, 0);
  const numbers = new Map<string, number>();
  const out: DemoImageSpec[] = [];
  for (let i = 0; i < count; i++) {
    const scene = byWeight(r() * total);
    const n = (numbers.get(scene.kind) ?? 0) + 1;
    numbers.set(scene.kind, n);
    const aspect = scene.aspects[Math.floor(r() * scene.aspects.length)]!;
    const long = LONG_EDGES[Math.floor(r() * LONG_EDGES.length)]!;
    const [width, height] =
      aspect >= 1 ? [long, Math.round(long / aspect)] : [Math.round(long * aspect), long];
    out.push({
      // One folder, as datasets usually are: the scene is a category to tick, not a folder to open.
      path: `${scene.stem}-${String(n).padStart(4, "0")}.jpg`,
      kind: scene.kind,
      width,
      height,
      seed: 50_000 + i * 7919,
    });
  }
  return out;
}

/** Each scene's centre in embedding space (seeded per scene, so adding rows never moves them). */
const CENTRES = new Map(
  KINDS.map((k, i) => {
    const r = rng(3000 + i);
    return [k, Array.from({ length: DIM }, () => gauss(r) * 1.7)];
  }),
);

/** The row of one drawn image: scores depend on its scene and on what was measured on its pixels. */
export function demoTableRow(spec: DemoImageSpec, m: DemoMeasures): DemoRow {
  const r = rng(spec.seed ^ 0x5bd1e995);
  const k = KINDS.indexOf(spec.kind);
  const scene = SCENES[k]!;
  const dark = m.brightness < 0.3;
  const words = scene.words[Math.floor(r() * scene.words.length)]!;
  const splitDraw = r();
  const centre = CENTRES.get(spec.kind)!;
  const taken = new Date(TAKEN_FROM + Math.floor(r() * 730 * DAY));
  return {
    path: spec.path,
    scene: spec.kind,
    split: splitDraw < 0.8 ? "train" : splitDraw < 0.9 ? "val" : "test",
    caption: `A ${dark ? "dark" : m.colorfulness > 0.45 ? "colourful" : "soft"} ${pick(r, SHOTS)} of ${words}${dark ? " at night" : ""}, ${SEASONS[Math.floor(taken.getUTCMonth() / 3)]}, ${pick(r, CAMERAS)}`,
    taken,
    // Per-scene means from 4.4 to 7.2 make the whole a lumpy, several-humped distribution.
    aesthetic: round(clamp(4.4 + (k % 5) * 0.7 + m.colorfulness * 1.5 + gauss(r) * 1.6, 0, 10), 2),
    clip_score: r() < 0.03 ? null : round(clamp(0.24 + 0.025 * (k % 4) + gauss(r) * 0.06, 0, 1), 4),
    // Mostly near 0 with a long tail, a little heavier for portraits.
    nsfw: round(r() ** (spec.kind === "portrait" ? 2.5 : 4), 4),
    brightness: round(m.brightness, 4),
    colorfulness: round(m.colorfulness, 4),
    // Scene centre + noise, nudged along one axis by brightness: night scenes sit a little apart.
    embedding: centre.map((c, i) =>
      round(c + gauss(r) * 0.6 + (i === 0 ? (m.brightness - 0.5) * 1.2 : 0), 5),
    ),
  };
}

/** The table as a Parquet file's bytes, in the column types the loader reads as each kind of field. */
export function demoTableParquet(rows: readonly DemoRow[]): Uint8Array {
  const col = <K extends keyof DemoRow>(k: K) => rows.map((r) => r[k]);
  const text = (name: string) => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8" }) as const;
  const real = (name: string) => ({ name, type: "DOUBLE", repetition_type: "OPTIONAL" }) as const;
  const names = [
    "path",
    "scene",
    "split",
    "caption",
    "taken",
    "aesthetic",
    "clip_score",
    "nsfw",
    "brightness",
    "colorfulness",
    "embedding",
  ] as const;
  const buffer = parquetWriteBuffer({
    columnData: names.map((name) => ({ name, data: col(name) })),
    schema: [
      { name: "root", num_children: names.length },
      text("path"),
      text("scene"),
      text("split"),
      text("caption"),
      { name: "taken", type: "INT64", converted_type: "TIMESTAMP_MILLIS" },
      real("aesthetic"),
      real("clip_score"),
      real("nsfw"),
      real("brightness"),
      real("colorfulness"),
      // A list of floats (Parquet's LIST of FLOAT) is what the loader reads as an embedding.
      { name: "embedding", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", type: "FLOAT", repetition_type: "REQUIRED" },
    ],
  });
  return new Uint8Array(buffer);
}
