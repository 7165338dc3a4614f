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
import {
  dotScores,
  INT8_MIN_BYTES,
  int8Scores,
  quantise,
  similarityTo,
  similarScores,
  topK,
  topSimilar,
} from "../src/query/similarity.ts";
import { loadAverage, median, percentile, printTable, writeSummary } from "./stats.ts";

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
const emb = { kind: "embedding" as const, name: "emb", dim: D, values, version: 0 };
// The float path alone (every row's float dot product + top-100), as below INT8_MIN_BYTES.
const float = timed((r) => topK(dotScores(values, D, queryRow(r)), K));
const q0 = performance.now();
const qz = quantise(values, D);
const quantiseMs = performance.now() - q0;
const method = similarScores(emb, queryRow(0), K).method;
// What find-similar does at this size: int8 scores, then float scores for the best (exact top).
const ours = timed((r) => topSimilar(emb, queryRow(r), K));
// Both paths at every size, to place INT8_MIN_BYTES: int8 + re-rank forced, float forced.
const forcedInt8 = timed((r) => topSimilar(emb, queryRow(r), K, 0));
const int8 = timed((r) => {
  const of = queryRow(r);
  return topK(int8Scores(qz, D, values.slice(of * D, of * D + D)), K);
});
let recall = 0;
let exactSame = true;
const recallRuns = 20;
for (let r = 0; r < recallRuns; r++) {
  const of = queryRow(r);
  const floatTop = topK(dotScores(values, D, of), K);
  const exact = new Set(floatTop);
  const approx = topK(int8Scores(qz, D, values.slice(of * D, of * D + D)), K);
  let hit = 0;
  for (const row of approx) if (exact.has(row)) hit++;
  recall += hit / K / recallRuns;
  // After the float re-rank the answer is the float one, order and scores.
  const got = topSimilar(emb, of, K);
  const fs = dotScores(values, D, of);
  const ss = similarScores(emb, of, K).scores;
  if (got.some((row, i) => row !== floatTop[i] || ss[row] !== fs[row])) exactSame = false;
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
const bytes = N * D * 4;
printTable(`find similar, ${N.toLocaleString("en-US")} × ${D} (top ${K}, p50 / p95)`, [
  ["bare Float32Array dot-product loop (scores only)", fmt(bare)],
  ["float path: every float dot product + top-100", fmt(float)],
  [
    `find similar (${method}${method === "int8" ? " + float re-rank" : ""}): top-100`,
    `${fmt(ours)}  (goal ≤ 30 ms)`,
  ],
  ["int8 + float re-rank at this size (forced, to place the threshold)", fmt(forcedInt8)],
  ["int8 scores + top-100 alone (one scale per vector)", fmt(int8)],
  ["int8 top-100 recall vs float, before the re-rank", `${recall.toFixed(3)}  (goal ≥ 0.95)`],
  ["re-ranked top-100 = float top-100 (rows, order, scores)", exactSame ? "yes" : "NO"],
  [
    "int8 used from (INT8_MIN_BYTES of float vectors)",
    `${(INT8_MIN_BYTES / 2 ** 20).toFixed(0)} MB; this table ${(bytes / 2 ** 20).toFixed(1)} MB`,
  ],
  ["int8 codes made once (at load)", `${quantiseMs.toFixed(0)} ms`],
  ["sort=similar view, first request (scores + sort + page)", fmt(view)],
  ["sort=similar view, cached page", fmt(cached)],
  // Wall-clock figures on a shared machine measure the neighbours too: say how busy it was.
  ["load average (1 / 5 / 15 min) at the end", loadAverage()],
  [
    "memory: Float32 vectors / int8 codes + scales on top",
    `${(bytes / 2 ** 20).toFixed(0)} / ${((N * D + 4 * N) / 2 ** 20).toFixed(1)} MB`,
  ],
]);
writeSummary("similar", {
  rows: N,
  dim: D,
  bare,
  float,
  ours,
  method,
  forcedInt8,
  int8,
  recall,
  exactSame,
  quantiseMs,
  view,
  cached,
});
