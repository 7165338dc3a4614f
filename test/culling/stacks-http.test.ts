/**
 * Stacks in the grid through the real server (M6): `stack=bursts` collapses each burst of the
 * view to one card (its best frame) with its size, paging over the collapsed view stays exact,
 * `expand=` opens one stack in place, counts in the status bar, a new star moves the front frame.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let s: TestLenslet;
const N = 40;
const name = (i: number) => `f-${String(i).padStart(2, "0")}.jpg`;
/** Bursts (frames 1 s apart): 3–7, 12–13, 20–28, 35–39; every other frame a minute from its neighbours. */
const BURSTS = [
  [3, 7],
  [12, 13],
  [20, 28],
  [35, 39],
];
const burstOf = (i: number) => BURSTS.findIndex(([a, b]) => i >= a! && i <= b!);

beforeAll(async () => {
  const files: Record<string, object> = {};
  for (let i = 0; i < N; i++) files[name(i)] = {};
  s = await startTestLenslet(files as never, { watch: false }, (root) => {
    // One exiftool process for every file: an argfile with -execute between files.
    const lines: string[] = [];
    let t = Date.UTC(2024, 4, 1, 8, 0, 0);
    for (let i = 0; i < N; i++) {
      t += burstOf(i) >= 0 && burstOf(i - 1) === burstOf(i) ? 1000 : 60_000;
      const d = new Date(t).toISOString().replace("T", " ").slice(0, 19).replaceAll("-", ":");
      lines.push("-q", "-overwrite_original", `-DateTimeOriginal=${d}`, join(root, name(i)));
      lines.push("-execute");
    }
    const args = join(root, "..", `args-${process.pid}.txt`);
    writeFileSync(args, `${lines.join("\n")}\n`);
    const r = Bun.spawnSync(["exiftool", "-@", args], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  });
}, 60_000);

afterAll(async () => {
  await s?.dispose();
});

interface Card {
  path: string;
  index: number;
  stack: number | null;
  member: boolean;
  open: boolean;
}

/** The cards of a fragment, with what they say about stacks. */
function cardsOf(html: string): Card[] {
  const out: Card[] = [];
  for (const m of html.matchAll(/<a class="card[^"]*"[^>]*>/g)) {
    const tag = m[0];
    const attr = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(tag)?.[1];
    out.push({
      path: attr("data-path") ?? "",
      index: Number(attr("data-index")),
      stack: attr("data-stack") ? Number(attr("data-stack")) : null,
      member: attr("data-member") === "1",
      open: attr("data-stack-open") === "1",
    });
  }
  return out;
}

/** Every card of a view, read a page of `limit` at a time, and the totals each page answered. */
async function allCards(query: string, limit: number) {
  const cards: Card[] = [];
  const totals = new Set<string>();
  for (let offset = 0; ; offset += limit) {
    const r = await s.get(`/grid/page?${query}&offset=${offset}&limit=${limit}`);
    expect(r.status).toBe(200);
    totals.add(r.headers.get("X-Total") ?? "");
    const page = cardsOf(await r.text());
    cards.push(...page);
    if (offset + limit >= Number(r.headers.get("X-Total"))) break;
  }
  return { cards, totals: [...totals] };
}

/** The expected collapsed view in name order: each burst at its first frame. */
function expected(front: (burst: number) => number, open = -1): string[] {
  const out: string[] = [];
  for (let i = 0; i < N; i++) {
    const b = burstOf(i);
    if (b < 0) out.push(`/${name(i)}`);
    else if (i === BURSTS[b]![0]) {
      out.push(`/${name(front(b))}`);
      if (b === open)
        for (let j = BURSTS[b]![0]!; j <= BURSTS[b]![1]!; j++)
          if (j !== front(b)) out.push(`/${name(j)}`);
    }
  }
  return out;
}

async function patch(path: string, fields: object) {
  const cur = (await (await s.get(`/item?path=${encodeURIComponent(path)}`)).json()) as {
    version: number;
  };
  const r = await s.get(`/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify({ base_version: cur.version, ...fields }),
  });
  expect(r.status).toBe(200);
}

describe("stacks in the grid (M6)", () => {
  test("M6: stack=bursts: one card per burst (its first frame), sized; pages of 7 cover the view exactly once", async () => {
    const { cards, totals } = await allCards("stack=bursts", 7);
    const want = expected((b) => BURSTS[b]![0]!);
    expect(totals).toEqual([String(want.length)]);
    expect(cards.map((c) => c.path)).toEqual(want);
    expect(cards.map((c) => c.index)).toEqual(want.map((_, i) => i));
    const sized = cards.filter((c) => c.stack !== null);
    expect(sized.map((c) => c.stack)).toEqual(BURSTS.map(([a, b]) => b! - a! + 1));
    // Without stacking nothing changes.
    const plain = await allCards("", 7);
    expect(plain.cards.map((c) => c.path)).toEqual(
      Array.from({ length: N }, (_, i) => `/${name(i)}`),
    );
    expect(plain.cards.every((c) => c.stack === null)).toBe(true);
  });

  test("M6: the page and its status bar: the control shows the choice, N images in M stacks, deep-linkable", async () => {
    const html = await (await s.get("/?stack=bursts")).text();
    expect(html).toMatch(/<option value="bursts" selected/);
    const inStacks = BURSTS.reduce((n, [a, b]) => n + b! - a! + 1, 0);
    expect(html).toContain(`${inStacks} images in ${BURSTS.length} stacks`);
    expect(html).toContain(`${N} images</span>`.replace("</span>", ""));
    // The grid's own pages ask with the same query (its data-query keeps stack=).
    expect(html).toMatch(/id="grid"[^>]*data-query="stack=bursts"/);
    expect((await s.get("/?stack=piles")).status).toBe(400);
  });

  test("M6: expand= opens one stack in place: its other frames right after it, marked; paging still exact", async () => {
    const open = 2; // frames 20–28
    const q = `stack=bursts&expand=${encodeURIComponent(`/${name(24)}`)}`;
    const { cards, totals } = await allCards(q, 5);
    const want = expected((b) => BURSTS[b]![0]!, open);
    expect(totals).toEqual([String(want.length)]);
    expect(cards.map((c) => c.path)).toEqual(want);
    const at = cards.findIndex((c) => c.path === `/${name(20)}`);
    expect(cards[at]).toMatchObject({ stack: 9, open: true, member: false });
    expect(cards.slice(at + 1, at + 9).every((c) => c.member)).toBe(true);
    expect(cards.filter((c) => c.member)).toHaveLength(8);
    // A stack's toggle link closes it again (and keeps that card selected).
    const html = await (await s.get(`/grid/page?${q}&offset=0&limit=100`)).text();
    const toggle = new RegExp(
      `data-path="/${name(20)}"[^>]*data-stack-toggle="([^"]*)"`.replace("/", "\\/"),
    ).exec(html)?.[1];
    expect(toggle).toBeDefined();
    const closed = new URL(toggle!.replaceAll("&amp;", "&"), s.url);
    expect(closed.searchParams.get("expand")).toBeNull();
    expect(closed.searchParams.get("sel")).toBe(`/${name(20)}`);
  });

  test("M6: the best frame fronts its stack (picks, then stars), in the same place; filters leave single frames plain", async () => {
    await patch(`/${name(5)}`, { set_star: 4 });
    await patch(`/${name(6)}`, { set_star: 5 });
    let { cards } = await allCards("stack=bursts", 50);
    expect(cards.map((c) => c.path)).toEqual(expected((b) => (b === 0 ? 6 : BURSTS[b]![0]!)));
    // A pick beats more stars.
    await patch(`/${name(5)}`, { set_flag: "pick" });
    ({ cards } = await allCards("stack=bursts", 50));
    expect(cards.map((c) => c.path)).toEqual(expected((b) => (b === 0 ? 5 : BURSTS[b]![0]!)));
    // Only two frames of the first burst have stars ≥ 4: a stack of two; the others single.
    const rated = await allCards("stack=bursts&stars=4,5", 50);
    expect(rated.cards.map((c) => [c.path, c.stack])).toEqual([[`/${name(5)}`, 2]]);
    await patch(`/${name(6)}`, { set_star: 3 });
    const one = await allCards("stack=bursts&stars=4,5", 50);
    expect(one.cards.map((c) => [c.path, c.stack])).toEqual([[`/${name(5)}`, null]]);
  });
});
