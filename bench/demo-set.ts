/**
 * A large set of demo-size JPEGs for benchmarks (10,000 by default): the demo's scene generator
 * (src/gallery/demo-scenes.ts) at the demo's sizes (long edge 480–1400 px, q82), deterministic
 * (the same files on every machine), written once to `.cache/bench/demo-jpegs-<count>/` (500 per
 * folder) and reused while its marker matches.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { rng, type SceneKind, sceneSvg } from "../src/gallery/demo-scenes.ts";

const VERSION = 1;
const MARKER = ".demo-set.json";
const KINDS: SceneKind[] = [
  "mountains",
  "sea",
  "desert",
  "birds",
  "cats",
  "fish",
  "portrait",
  "city",
  "shapes",
  "stripes",
  "gradient",
];
const LONG = [480, 640, 800, 960, 1024, 1200, 1400];
const ASPECTS = [4 / 3, 3 / 2, 1, 3 / 4, 16 / 9, 2 / 3];

export interface DemoSetFile {
  path: string;
  kind: SceneKind;
  width: number;
  height: number;
  seed: number;
}

export function demoSetPlan(count: number): DemoSetFile[] {
  const r = rng(20_261_201);
  return Array.from({ length: count }, (_, i) => {
    const long = LONG[Math.floor(r() * LONG.length)]!;
    const a = ASPECTS[Math.floor(r() * ASPECTS.length)]!;
    const [width, height] = a >= 1 ? [long, Math.round(long / a)] : [Math.round(long * a), long];
    const folder = `set-${String(Math.floor(i / 500)).padStart(2, "0")}`;
    return {
      path: `${folder}/img-${String(i).padStart(5, "0")}.jpg`,
      kind: KINDS[i % KINDS.length]!,
      width,
      height,
      seed: i * 7919 + 13,
    };
  });
}

/** The folder holding `count` demo-size JPEGs, generating what is missing first (2 at a time). */
export async function ensureDemoSet(
  project: string,
  count: number,
  onProgress?: (done: number, total: number) => void,
): Promise<string> {
  const dir = join(project, ".cache", "bench", `demo-jpegs-${count}`);
  const marker = join(dir, MARKER);
  try {
    const m = JSON.parse(readFileSync(marker, "utf8")) as { version?: number; count?: number };
    if (m.version === VERSION && m.count === count) return dir;
  } catch {}
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const plan = demoSetPlan(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.length) {
      const f = plan[next++]!;
      const file = join(tmp, f.path);
      mkdirSync(join(file, ".."), { recursive: true });
      const svg = Buffer.from(sceneSvg(f.kind, f.seed, f.width, f.height, null));
      writeFileSync(file, await sharp(svg).jpeg({ quality: 82 }).toBuffer());
      onProgress?.(++done, plan.length);
    }
  };
  await Promise.all([worker(), worker()]);
  writeFileSync(join(tmp, MARKER), JSON.stringify({ version: VERSION, count }));
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
