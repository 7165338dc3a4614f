/**
 * Filter, search and sort a folder's images. Pure, apart from a small cache
 * keyed by the query and the label store's revision, so scrolling pages of a
 * 100,000-image result never recomputes it.
 */
import type { BrowseQuery } from "./browse-query.ts";
import type { GalleryIndex } from "./gallery-index.ts";
import type { ImageEntry } from "./types.ts";

/** The part of a label record a query looks at. */
export interface LabelFacts {
  star: number | null;
  tags: string[];
  notes: string;
  metrics: Record<string, number>;
}

export interface LabelLookup {
  get(path: string): LabelFacts;
  /** Changes whenever any label changes. */
  readonly revision: number;
}

type QueryKey = Pick<
  BrowseQuery,
  "folder" | "recursive" | "q" | "sort" | "metric" | "dir" | "stars" | "tag" | "seed"
>;

/** Sorts whose order follows the labels (re-run when they change). */
function isLabelSorted(q: QueryKey): boolean {
  return q.sort === "stars" || q.sort === "metric";
}

export function isLabelFiltered(q: QueryKey): boolean {
  return q.q !== "" || q.stars.length > 0 || q.tag !== "";
}

export function matches(img: ImageEntry, labels: LabelFacts, q: QueryKey, needle: string): boolean {
  if (q.stars.length) {
    const star = labels.star ?? 0;
    const key = star === 0 ? "unrated" : String(star);
    if (!(q.stars as string[]).includes(key)) return false;
  }
  if (q.tag && !labels.tags.includes(q.tag)) return false;
  if (needle) {
    const hay = `${img.name}\n${labels.tags.join("\n")}\n${labels.notes}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

/** Deterministic per-(seed, path) rank: a random order that is stable across pages and reloads. */
export function randomRank(seed: number, path: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return h >>> 0;
}

function sorter(q: QueryKey, labels: LabelLookup): (a: ImageEntry, b: ImageEntry) => number {
  // Index order: folder by folder, natural name order within a folder.
  const byName = (a: ImageEntry, b: ImageEntry) => a.ordinal - b.ordinal;
  switch (q.sort) {
    case "name":
      return byName;
    case "date":
      return (a, b) => a.mtimeMs - b.mtimeMs || byName(a, b);
    case "size":
      return (a, b) => a.size - b.size || byName(a, b);
    case "stars":
      return (a, b) =>
        (labels.get(a.path).star ?? 0) - (labels.get(b.path).star ?? 0) || byName(a, b);
    case "metric":
      // Only images that have the metric; sortedBase puts the others after them.
      return (a, b) =>
        (labels.get(a.path).metrics[q.metric] as number) -
          (labels.get(b.path).metrics[q.metric] as number) || byName(a, b);
    case "random": {
      const ranks = new Map<string, number>();
      const rank = (p: string) => {
        let r = ranks.get(p);
        if (r === undefined) {
          r = randomRank(q.seed, p);
          ranks.set(p, r);
        }
        return r;
      };
      return (a, b) => rank(a.path) - rank(b.path) || byName(a, b);
    }
  }
}

export class QueryRunner {
  private readonly sorted = new Map<string, ImageEntry[]>();
  private readonly results = new Map<string, { revision: number; items: ImageEntry[] }>();
  private galleryRevision: number;

  constructor(
    private readonly gallery: GalleryIndex,
    private readonly labels: LabelLookup,
    private readonly maxCached = 32,
  ) {
    this.galleryRevision = gallery.revision;
  }

  run(q: QueryKey): ImageEntry[] {
    if (this.galleryRevision !== this.gallery.revision) {
      // Files came or went: every cached listing is out of date.
      this.galleryRevision = this.gallery.revision;
      this.sorted.clear();
      this.results.clear();
    }
    const labelDependent = isLabelFiltered(q) || isLabelSorted(q);
    const key = JSON.stringify([
      q.folder,
      q.recursive,
      q.q,
      q.sort,
      q.metric,
      q.dir,
      q.stars,
      q.tag,
      q.sort === "random" ? q.seed : 0,
    ]);
    const hit = this.results.get(key);
    if (hit && (!labelDependent || hit.revision === this.labels.revision)) {
      // Refresh recency for the LRU.
      this.results.delete(key);
      this.results.set(key, hit);
      return hit.items;
    }
    const base = this.sortedBase(q);
    let items = base;
    if (isLabelFiltered(q)) {
      const needle = q.q.toLowerCase();
      items = base.filter((img) => matches(img, this.labels.get(img.path), q, needle));
    }
    this.results.set(key, { revision: this.labels.revision, items });
    while (this.results.size > this.maxCached)
      this.results.delete(this.results.keys().next().value!);
    return items;
  }

  /** Sorted listing without label filters; cached forever for sorts that do not depend on labels. */
  private sortedBase(q: QueryKey): ImageEntry[] {
    const list = this.gallery.list(q.folder, q.recursive);
    if (q.sort === "stars") {
      const out = [...list].sort(sorter(q, this.labels));
      return q.dir === "desc" ? out.reverse() : out;
    }
    if (q.sort === "metric") {
      // Images without the metric come last in either direction: they have nothing to rank by.
      const has = (e: ImageEntry) => this.labels.get(e.path).metrics[q.metric] !== undefined;
      const ranked = list.filter(has).sort(sorter(q, this.labels));
      if (q.dir === "desc") ranked.reverse();
      for (const e of list) if (!has(e)) ranked.push(e);
      return ranked;
    }
    const key = JSON.stringify([
      q.folder,
      q.recursive,
      q.sort,
      q.dir,
      q.sort === "random" ? q.seed : 0,
    ]);
    let out = this.sorted.get(key);
    if (!out) {
      out = q.sort === "name" ? [...list] : [...list].sort(sorter(q, this.labels));
      if (q.dir === "desc") out.reverse();
      this.sorted.set(key, out);
      while (this.sorted.size > this.maxCached)
        this.sorted.delete(this.sorted.keys().next().value!);
    }
    return out;
  }
}
