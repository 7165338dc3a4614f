/**
 * Stacks in the grid (spec M6), pure: a view's sorted rows in, one row per group out.
 *
 * A group (a burst or a set of near-duplicates, src/groups/groups.ts) with two or more of
 * its images in the view shows as ONE card, its best frame (picks first, rejects last, then
 * the most stars, then the first in the view's order), at the place of the group's first
 * image in that order, so a stack never jumps when its best frame changes. An expanded
 * stack is followed by its other images in view order, marked as members. A group with
 * one image left in the view (the others filtered out) is a plain card.
 */

export const STACK_KINDS = ["bursts", "duplicates"] as const;
export type StackKind = (typeof STACK_KINDS)[number];

/** The groups of one kind over one folder (or subtree): each gallery ordinal's group, or -1. */
export interface StackGroups {
  groupOf: Int32Array;
  /** Number of groups (ids are 0 … count − 1). */
  count: number;
  /** Changes whenever the grouping does (for the query cache). */
  revision: number;
}

export interface StackSource {
  groups(kind: StackKind, folder: string, recursive: boolean): StackGroups;
}

export interface Collapsed {
  /** Gallery ordinals, one per card. */
  rows: Uint32Array;
  /** Per card: the stack's size (≥ 2) on a stack's card, else 0. */
  size: Uint32Array;
  /** Per card: 1 for an image of the expanded stack shown after its stack card. */
  member: Uint8Array;
  /** Stacks in the view, images in them, images in the view (before collapsing). */
  stacks: number;
  inStacks: number;
  images: number;
}

/**
 * `rank(ordinal)`: higher is a better front frame. `expand`: the group shown open (−1: none).
 * O(rows + groups), typed arrays only.
 */
export function collapseStacks(
  rows: Uint32Array,
  groups: StackGroups,
  rank: (ordinal: number) => number,
  expand = -1,
): Collapsed {
  const { groupOf, count } = groups;
  const size = new Uint32Array(count);
  const best = new Int32Array(count).fill(-1);
  const bestRank = new Float64Array(count);
  const first = new Int32Array(count).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i]!;
    const g = groupOf[o]!;
    if (g < 0) continue;
    size[g]!++;
    const r = rank(o);
    if (first[g] === -1) first[g] = i;
    // Strictly better only: ties keep the earlier one in the view's order.
    if (best[g] === -1 || r > bestRank[g]!) {
      best[g] = o;
      bestRank[g] = r;
    }
    if (g === expand) open.push(o);
  }
  let stacks = 0;
  let inStacks = 0;
  let cards = 0;
  for (let g = 0; g < count; g++) {
    if (size[g]! < 2) continue;
    stacks++;
    inStacks += size[g]!;
    cards += g === expand ? size[g]! : 1;
  }
  cards += rows.length - inStacks;
  const out = new Uint32Array(cards);
  const outSize = new Uint32Array(cards);
  const member = new Uint8Array(cards);
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i]!;
    const g = groupOf[o]!;
    if (g < 0 || size[g]! < 2) {
      out[k++] = o;
      continue;
    }
    if (first[g] !== i) continue;
    const top = best[g]!;
    outSize[k] = size[g]!;
    out[k++] = top;
    if (g !== expand) continue;
    for (const m of open) {
      if (m === top) continue;
      member[k] = 1;
      out[k++] = m;
    }
  }
  return { rows: out, size: outSize, member, stacks, inStacks, images: rows.length };
}

/** Front-frame rank from a flag (1 pick, 2 reject, else none) and stars (0–5). */
export function frameRank(flag: "pick" | "reject" | null, star: number): number {
  return (flag === "pick" ? 2 : flag === "reject" ? 0 : 1) * 8 + star;
}
