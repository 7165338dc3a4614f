/**
 * Find-similar bench (issue 11): 100,000 rows × 256-float unit embeddings (random, seeded).
 *   - top-100 by cosine: our scoring (src/query/similarity.ts: one dot-product pass + a bounded
 *     heap) beside a bare Float32Array dot-product loop in the same run; goal ≤ 30 ms;
 *   - the whole server-side path of `sort=similar:<path>`: scores → gallery rows → sorted view
 *     (first request, then cached pages);
 *   - int8 quantisation (one scale per vector): its time, memory and top-100 recall against the
 *     float answer (quantise only if recall ≥ 0.95).
 * Memory: the Float32Array is rows × dim × 4 bytes (100,000 × 256 = 102 MB); int8 is a quarter.
 *
 *   bun run bench/similar.ts [--rows 100000] [--dim 256] [--runs 20]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BrowseQuery } from "../src/gallery/browse-query.ts";
import { GalleryIndex } from "../src/gallery/gallery-index.ts";
import { QueryRunner } from "../src/gallery/run-query.ts";
import { Table } from "../src/query/columns.ts";
import { dotScores, similarityTo, topK } from "../src/query/similarity.ts";
import { median, percentile, printTable, writeSummary } from "./stats.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    dim: { type: "string", default: "256" },
    runs: { type: "string", default: "20" },
  },
});
const N = Number(args.rows);
const D = Number(args.dim);
const runs = Number(args.runs);
const K = 100;

let seed = 7;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296 - 0.5;
};
const values = new Float32Array(N * D);
// Clustered vectors (64 centres plus noise), like real embeddings: neighbours exist.
const centres = Array.from({ length: 64 }, () => Float32Array.from({ length: D }, rand));
for (let r = 0; r < N; r++) {
  const c = centres[r % 64]!;
  let norm = 0;
  for (let j = 0; j < D; j++) {
    const v = c[j]! + rand() * 0.8;
    values[r * D + j] = v;
    norm += v * v;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < D; j++) values[r * D + j]! *= inv;
}

function timed(f: (r: number) => unknown): { p50: number; p95: number } {
  const t: number[] = [];
  for (let r = 0; r < runs + 3; r++) {
    const t0 = performance.now();
    f(r);
    if (r >= 3) t.push(performance.now() - t0);
  }
  return { p50: median(t), p95: percentile(t, 95) };
}
const queryRow = (r: number) => (r * 7919) % N;

// A bare dot-product loop: the floor any scoring in JS can reach.
const bare = timed((r) => {
  const q = values.slice(queryRow(r) * D, queryRow(r) * D + D);
  const out = new Float32Array(N);
  for (let i = 0, at = 0; i < N; i++, at += D) {
    let s = 0;
    for (let j = 0; j < D; j++) s += values[at + j]! * q[j]!;
    out[i] = s;
  }
  return out;
});
const ours = timed((r) => topK(dotScores(values, D, queryRow(r)), K));

// int8: one scale per vector (max |v| → 127); the query stays float.
const q8 = new Int8Array(N * D);
const scale = new Float32Array(N);
for (let r = 0; r < N; r++) {
  let m = 0;
  for (let j = 0; j < D; j++) m = Math.max(m, Math.abs(values[r * D + j]!));
  const s = m === 0 ? 0 : 127 / m;
  scale[r] = m === 0 ? 0 : m / 127;
  for (let j = 0; j < D; j++) q8[r * D + j] = Math.round(values[r * D + j]! * s);
}
function int8Scores(of: number): Float32Array {
  const q = values.slice(of * D, of * D + D);
  const out = new Float32Array(N);
  for (let i = 0, at = 0; i < N; i++, at += D) {
    let s = 0;
    for (let j = 0; j < D; j++) s += q8[at + j]! * q[j]!;
    out[i] = s * scale[i]!;
  }
  return out;
}
const int8 = timed((r) => topK(int8Scores(queryRow(r)), K));
let recall = 0;
const recallRuns = 20;
for (let r = 0; r < recallRuns; r++) {
  const exact = new Set(topK(dotScores(values, D, queryRow(r)), K));
  const approx = topK(int8Scores(queryRow(r)), K);
  let hit = 0;
  for (const row of approx) if (exact.has(row)) hit++;
  recall += hit / K / recallRuns;
}

// The server-side path: a table with the embedding, a gallery of its rows, sort=similar.
const table = new Table(N).add({ kind: "embedding", name: "emb", dim: D, values, version: 0 });
const root = mkdtempSync(join(tmpdir(), "lenslet-similar-"));
const names = Array.from({ length: N }, (_, i) => `img${String(i).padStart(6, "0")}.jpg`);
const index = GalleryIndex.fromRows(root, [
  { path: "/", fsPath: root, names, raw: names.map(() => null), rows: names.map((_, i) => i) },
]);
const labels = {
  revision: 0,
  get: () => ({ star: null, tags: [], notes: "", metrics: {} }),
  entries: () => [],
};
const runner = new QueryRunner(index, labels, 32, null, {
  source: table,
  similar: (columns, path) => similarityTo(table, columns, index.ordinalOf(path)),
});
const q = (r: number) => BrowseQuery.parse({ sort: `similar:/${names[queryRow(r)]}` });
const view = timed((r) => runner.view(q(r)).slice(0, K));
const cached = timed(() => runner.view(q(0)).slice(0, K));
// Known answer: the query image is its own best match.
const first = runner.view(q(0));
if (first.pathAt(0) !== `/${names[queryRow(0)]}`)
  throw new Error("the image is not its own best match");

const fmt = (t: { p50: number; p95: number }) => `${t.p50.toFixed(1)} / ${t.p95.toFixed(1)} ms`;
printTable(`find similar, ${N.toLocaleString("en-US")} × ${D} (top ${K}, p50 / p95)`, [
  ["bare Float32Array dot-product loop (scores only)", fmt(bare)],
  ["ours: scores + top-100 (goal ≤ 30 ms)", fmt(ours)],
  ["int8 (one scale per vector): scores + top-100", fmt(int8)],
  ["int8 top-100 recall vs float", recall.toFixed(3)],
  ["sort=similar view, first request (scores + sort + page)", fmt(view)],
  ["sort=similar view, cached page", fmt(cached)],
  [
    "memory: Float32 / int8 vectors",
    `${((N * D * 4) / 2 ** 20).toFixed(0)} / ${((N * D) / 2 ** 20).toFixed(0)} MB`,
  ],
]);
writeSummary("similar", { rows: N, dim: D, bare, ours, int8, recall, view, cached });
