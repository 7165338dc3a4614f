/**
 * Filter, search and sort a folder's images. Pure, apart from a small cache
 * keyed by the query and the label store's revision, so scrolling pages of a
 * 100,000-image result never recomputes it.
 */
import type { BrowseQuery } from "./browse-query.ts";
import { type CullFacts, flagRank, isCullFiltered, matchesCull } from "./cull-filters.ts";
import type { GalleryIndex } from "./gallery-index.ts";
import type { ImageEntry } from "./types.ts";

/** The part of a label record a query looks at. */
export interface LabelFacts extends CullFacts {
  star: number | null;
  tags: string[];
  notes: string;
  metrics: Record<string, number>;
}

/** Facts read from the files themselves, lazily (EXIF capture time, src/media/exif.ts). */
export interface ImageFacts {
  /** Capture time in ms since epoch; undefined when unknown or not read yet. */
  takenMs(img: ImageEntry): number | undefined;
  /** Changes whenever a fact is learned. */
  readonly revision: number;
}

export interface LabelLookup {
  get(path: string): LabelFacts;
  /** One metric of an image, when a source can answer it without building the whole record. */
  metric?(path: string, name: string): number | undefined;
  /** Changes whenever any label changes. */
  readonly revision: number;
}

type QueryKey = Pick<
  BrowseQuery,
  "folder" | "recursive" | "q" | "sort" | "metric" | "dir" | "stars" | "tag" | "seed"
> &
  Partial<Pick<BrowseQuery, "flag" | "color">>;

/** Sorts whose order follows the labels (re-run when they change). */
function isLabelSorted(q: QueryKey): boolean {
  return q.sort === "stars" || q.sort === "metric" || q.sort === "flag" || q.sort === "taken";
}

export function isLabelFiltered(q: QueryKey): boolean {
  return q.q !== "" || q.stars.length > 0 || q.tag !== "" || isCullFiltered(cullOf(q));
}

function cullOf(q: QueryKey) {
  return { flag: q.flag ?? [], color: q.color ?? [] };
}

export function matches(img: ImageEntry, labels: LabelFacts, q: QueryKey, needle: string): boolean {
  if (q.stars.length) {
    const star = labels.star ?? 0;
    const key = star === 0 ? "unrated" : String(star);
    if (!(q.stars as string[]).includes(key)) return false;
  }
  if (q.tag && !labels.tags.includes(q.tag)) return false;
  if (!matchesCull(labels, cullOf(q))) return false;
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

/** The number an image is ranked by; undefined when it has none (it goes after the ranked ones). */
type SortKey = (img: ImageEntry) => number | undefined;

function sortKey(q: QueryKey, labels: LabelLookup, facts: ImageFacts | null): SortKey | null {
  switch (q.sort) {
    case "name":
      return null; // the index's own order
    case "date":
      return (img) => img.mtimeMs;
    case "size":
      return (img) => img.size;
    case "stars":
      return (img) => labels.get(img.path).star ?? 0;
    case "metric":
      if (labels.metric) return (img) => labels.metric!(img.path, q.metric);
      return (img) => labels.get(img.path).metrics[q.metric];
    case "random":
      return (img) => randomRank(q.seed, img.path);
    case "flag":
      return (img) => flagRank(labels.get(img.path).flag);
    case "taken":
      return facts ? (img) => facts.takenMs(img) : () => undefined;
  }
}

/**
 * The images ordered by `key`, name order breaking ties, then the ones without a key. Keys are
 * computed once per image, not per comparison (a label lookup each time made a 100k sort 4× slower).
 */
function sortBy(list: readonly ImageEntry[], key: SortKey, desc: boolean): ImageEntry[] {
  const ranked: { img: ImageEntry; k: number }[] = [];
  const unranked: ImageEntry[] = [];
  for (const img of list) {
    const k = key(img);
    if (k === undefined) unranked.push(img);
    else ranked.push({ img, k });
  }
  // `list` is in name order and the sort is stable, so equal keys stay in name order.
  ranked.sort((a, b) => a.k - b.k);
  if (desc) ranked.reverse();
  const out = ranked.map((r) => r.img);
  for (const img of unranked) out.push(img);
  return out;
}

export class QueryRunner {
  private readonly sorted = new Map<string, ImageEntry[]>();
  private readonly results = new Map<string, { revision: number; items: ImageEntry[] }>();
  private galleryRevision: number;

  constructor(
    private readonly gallery: GalleryIndex,
    private readonly labels: LabelLookup,
    private readonly maxCached = 32,
    private readonly facts: ImageFacts | null = null,
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
      q.flag ?? [],
      q.color ?? [],
      // Capture times arrive as files are read: a taken order is as old as what it knew.
      q.sort === "taken" ? (this.facts?.revision ?? 0) : 0,
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

  /** Sorted listing without label filters; cached until the index changes for sorts that do not depend on labels. */
  private sortedBase(q: QueryKey): ImageEntry[] {
    const list = this.gallery.list(q.folder, q.recursive);
    const key = sortKey(q, this.labels, this.facts);
    const desc = q.dir === "desc";
    // Label-ordered listings are cached with the filtered result, by label revision (run()).
    if (isLabelSorted(q)) return sortBy(list, key as SortKey, desc);
    const cacheKey = JSON.stringify([
      q.folder,
      q.recursive,
      q.sort,
      q.dir,
      q.sort === "random" ? q.seed : 0,
    ]);
    let out = this.sorted.get(cacheKey);
    if (!out) {
      out = key ? sortBy(list, key, desc) : desc ? [...list].reverse() : [...list];
      this.sorted.set(cacheKey, out);
      while (this.sorted.size > this.maxCached)
        this.sorted.delete(this.sorted.keys().next().value!);
    }
    return out;
  }
}
