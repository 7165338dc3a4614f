/**
 * Assembles the plain view models (views/model.ts) from the index and the
 * label store. No HTTP here: routes parse the request, call these, render.
 */

import type { BulkModel } from "../../views/BulkInspector.tsx";
import { formatFieldValue } from "../../views/MetricsPanel.tsx";
import type {
  BrowseModel,
  CardModel,
  FolderTileModel,
  ItemDetails,
  TreeChildrenModel,
  TreeNode,
} from "../../views/model.ts";
import type { ViewerModel } from "../../views/Viewer.tsx";
import { ancestorsOf, baseName, parentOf } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import { BrowseQuery, browseHref, browseParams } from "../gallery/browse-query.ts";
import { isFiltered, QueryRunner, type QueryView } from "../gallery/run-query.ts";
import type { FolderEntry, ImageEntry } from "../gallery/types.ts";
import type { Color, Flag } from "../labels/schema.ts";
import { browserShows } from "../media/browser-formats.ts";
import { hasVector, similarityTo } from "../query/similarity.ts";
import { StackGroupSource } from "./stack-groups.ts";

export const TREE_PAGE = 200;
export const FIRST_PAGE = 120;
/** Subfolder tiles shown in a folder without images of its own. */
export const TILE_LIMIT = 200;

/** A random seed other than `current` (seeds are 0…2^31, as the browse query allows). */
function newSeed(current: number): number {
  const seed = 1 + Math.floor(Math.random() * (2 ** 31 - 1));
  return seed === current ? seed + 1 : seed;
}

export class PageModels {
  readonly queries: QueryRunner;
  private tagCache: { revision: number; tags: { tag: string; count: number }[] } | null = null;
  private metricCache: { revision: number; names: string[] } | null = null;

  constructor(private readonly deps: AppDeps) {
    // One engine for folders and tables: a table's columns join the gallery's own (D12).
    const table = deps.dataset?.loaded.table ?? null;
    this.queries = new QueryRunner(
      deps.gallery,
      deps.labels,
      32,
      // sort=taken reads capture times the EXIF cache holds (pages.tsx fills it first).
      deps.exif,
      {
        source: table,
        similar: (columns, path) =>
          table ? similarityTo(table, columns, deps.gallery.ordinalOf(path)) : null,
        stacks: new StackGroupSource(deps),
      },
    );
    // Built now, not by the first page request (a million rows take a moment).
    this.queries.columns.current();
  }

  /** `score`: the row's similarity when the view is sorted by it (QueryView.scoreAt); `stack`: its stack (M6). */
  card(
    img: ImageEntry,
    q: BrowseQuery,
    score?: number,
    stack?: { size: number; member: boolean } | null,
  ): CardModel {
    const s = this.deps.labels.get(img.path);
    const open = !!stack && !stack.member && q.expand !== undefined && this.sameStack(q, img.path);
    return {
      stack: stack
        ? {
            ...stack,
            open,
            // A member or an open stack's card closes it; a closed stack's card opens it. Either way the
            // card stays selected, so the grid keeps it in view.
            toggle: browseHref(q, {
              expand: stack.member || open ? undefined : img.path,
              sel: img.path,
              view: false,
            }),
          }
        : null,
      sortValue: this.sortValue(img, q, s.metrics, score),
      path: img.path,
      name: img.name,
      thumbUrl: this.thumbUrl(img),
      star: s.star,
      tags: s.tags,
      flag: s.flag,
      color: s.color,
      version: s.version,
      folder: q.recursive && img.folder !== q.folder ? img.folder : null,
      folderHref:
        q.recursive && img.folder !== q.folder
          ? browseHref(q, { folder: img.folder, recursive: false, sel: undefined, view: false })
          : null,
      href: browseHref(q, { sel: img.path }),
    };
  }

  /** What the card shows of the sort (D18): the sorted-by metric's value, or the similarity score. */
  private sortValue(
    img: ImageEntry,
    q: BrowseQuery,
    pushed: Record<string, number>,
    score: number | undefined,
  ): CardModel["sortValue"] {
    if (q.sort === "similar")
      return score === undefined ? null : { label: "similarity", text: score.toFixed(3) };
    if (q.sort !== "metric") return null;
    const v =
      pushed[q.metric] ??
      (this.deps.dataset ? this.queries.columns.sourceMetrics(img.ordinal)[q.metric] : undefined);
    return v === undefined ? null : { label: q.metric, text: formatFieldValue(q.metric, v) };
  }

  /** Versioned original URL: the browser may cache it for good. */
  fileUrl(img: ImageEntry): string {
    this.deps.gallery.stat(img);
    return `/file?path=${encodeURIComponent(img.path)}&v=${encodeURIComponent(this.deps.thumbs.etag(img))}`;
  }

  /** The viewer-sized rendering (TIFF, SVG, or a file the browser failed to decode). */
  displayUrl(img: ImageEntry): string {
    this.deps.gallery.stat(img);
    return `/display?path=${encodeURIComponent(img.path)}&v=${encodeURIComponent(this.deps.display.etag(img))}`;
  }

  /** What the viewer shows: the original when browsers decode it, else the display image. */
  viewUrl(img: ImageEntry): string {
    return browserShows(img.name) ? this.fileUrl(img) : this.displayUrl(img);
  }

  thumbUrl(img: ImageEntry): string {
    this.deps.gallery.stat(img);
    return `/thumb?path=${encodeURIComponent(img.path)}&v=${encodeURIComponent(this.deps.thumbs.etag(img))}`;
  }

  cards(q: BrowseQuery, offset: number, limit: number): { cards: CardModel[]; total: number } {
    const view = this.queries.view(q);
    return { cards: this.cardsOf(view, q, offset, limit), total: view.total };
  }

  private cardsOf(view: QueryView, q: BrowseQuery, offset: number, limit: number): CardModel[] {
    return view
      .slice(offset, limit)
      .map((img, i) => this.card(img, q, view.scoreAt(offset + i), view.stackAt(offset + i)));
  }

  /** True when `path` is in the stack `q.expand` opens (the view's groups, M6). */
  private sameStack(q: BrowseQuery, path: string): boolean {
    if (!q.stack || !q.expand) return false;
    const g = this.queries.stackGroups(q);
    if (!g) return false;
    const a = this.deps.gallery.ordinalOf(path);
    const b = this.deps.gallery.ordinalOf(q.expand);
    return a >= 0 && b >= 0 && g.groupOf[a]! >= 0 && g.groupOf[a] === g.groupOf[b];
  }

  /** The folder itself when it exists, else its nearest ancestor that does (the root at worst). */
  nearestFolder(path: string): string {
    let at = path;
    while (at !== "/" && !this.deps.gallery.folder(at)) at = parentOf(at);
    return at;
  }

  /**
   * The view a link can still show: a vanished folder becomes its nearest ancestor still here,
   * a vanished image is dropped from the selection (and the viewer), each with a notice saying so.
   */
  resolveMissing(asked: BrowseQuery): { q: BrowseQuery; notices: string[] } {
    let q = asked;
    const notices: string[] = [];
    if (!this.deps.gallery.folder(q.folder)) {
      const near = this.nearestFolder(q.folder);
      notices.push(
        `The folder “${q.folder}” is not in this gallery (it was moved or deleted). Showing “${near === "/" ? "All images" : near}”, the nearest folder still here.`,
      );
      q = { ...q, folder: near };
    }
    if (q.sel && !this.deps.gallery.get(q.sel)) {
      notices.push(
        `The image “${baseName(q.sel)}” (${q.sel}) is not in this gallery: it was moved or deleted.`,
      );
      q = { ...q, sel: undefined, view: false };
    }
    return { q, notices };
  }

  /** No match in this folder: the same search and filters over its subtree, when that finds some. */
  private deeper(q: BrowseQuery, total: number): BrowseModel["deeper"] {
    if (total > 0 || q.recursive || !isFiltered(q)) return null;
    if (!this.deps.gallery.folder(q.folder)?.folders.length) return null;
    const deep = { ...q, recursive: true, sel: undefined, view: false };
    const count = this.queries.view(deep).total;
    return count > 0 ? { count, href: browseHref(deep) } : null;
  }

  browse(q: BrowseQuery, offset = 0, limit = FIRST_PAGE, notices: string[] = []): BrowseModel {
    const { gallery } = this.deps;
    const folder = gallery.folder(q.folder);
    const view = this.queries.view(q);
    // A selected item keeps its page in view when the page is reloaded without JS.
    let start = offset;
    if (q.sel && offset === 0) {
      const i = view.indexOf(q.sel);
      if (i >= limit) start = Math.floor(i / limit) * limit;
    }
    const qs = browseParams(q, { sel: undefined }).toString();
    return {
      q,
      folderName: q.folder === "/" ? "All images" : baseName(q.folder),
      crumbs: [...ancestorsOf(q.folder), q.folder]
        .filter((p, i, a) => a.indexOf(p) === i)
        .map((p) => ({ path: p, name: p === "/" ? "Home" : baseName(p) })),
      total: view.total,
      images: view.images,
      stacks:
        q.stack && view.stacks
          ? { kind: q.stack, stacks: view.stacks.stacks, inStacks: view.stacks.inStacks }
          : null,
      unfiltered: view.unfiltered,
      subfolderCount: folder?.folders.length ?? 0,
      folderTiles:
        folder && !q.recursive && this.ownImageCount(folder.path) === 0
          ? this.folderTiles(folder, q)
          : [],
      offset: start,
      limit,
      cards: this.cardsOf(view, q, start, limit),
      tagOptions: this.tagOptions(),
      metricNames: this.metricNames(),
      selected: q.sel ? this.details(q.sel) : null,
      queryString: qs,
      notices,
      deeper: this.deeper(q, view.total),
      reshuffleHref:
        q.sort === "random"
          ? browseHref(q, { seed: newSeed(q.seed), sel: undefined, view: false })
          : null,
    };
  }

  /** A folder's subfolders as grid tiles (the first TILE_LIMIT; the tree lists them all). */
  private folderTiles(folder: FolderEntry, q: BrowseQuery): FolderTileModel[] {
    return folder.folders.slice(0, TILE_LIMIT).flatMap((path) => {
      const f = this.deps.gallery.folder(path);
      if (!f) return [];
      const first = this.firstImage(f);
      return [
        {
          path,
          name: f.name,
          images: f.totalImages,
          thumbUrl: first ? this.thumbUrl(first) : null,
          href: browseHref(q, { folder: path, sel: undefined }),
        },
      ];
    });
  }

  /** Images directly in a folder (not below it): one row range of the index. */
  private ownImageCount(folder: string): number {
    const r = this.deps.gallery.range(folder, false);
    return r.end - r.start;
  }

  /** The first image of a folder in name order (its own, then its subfolders'): its subtree range's first row. */
  private firstImage(f: FolderEntry): ImageEntry | null {
    const r = this.deps.gallery.range(f.path, true);
    return r.end > r.start ? this.deps.gallery.at(r.start) : null;
  }

  details(path: string): ItemDetails | null {
    const img = this.deps.gallery.get(path);
    if (!img) return null;
    const s = this.deps.labels.get(path);
    const dims = this.deps.dims.peek(img);
    return {
      path,
      name: img.name,
      folder: img.folder,
      size: img.size,
      mtimeMs: img.mtimeMs,
      width: dims?.width ?? 0,
      height: dims?.height ?? 0,
      fileUrl: this.fileUrl(img),
      viewUrl: this.viewUrl(img),
      displayUrl: this.displayUrl(img),
      previewUrl: this.thumbUrl(img),
      star: s.star,
      tags: s.tags,
      notes: s.notes,
      metrics: this.deps.dataset
        ? { ...this.queries.columns.sourceMetrics(img.ordinal), ...s.metrics }
        : s.metrics,
      fields: this.deps.dataset ? this.queries.columns.sourceFields(img.ordinal) : [],
      flag: s.flag,
      color: s.color,
      exif: this.deps.exif.peek(img) ?? null,
      version: s.version,
      updatedAt: s.updated_at,
      updatedBy: s.updated_by,
      similarHref: this.similarHref(img),
    };
  }

  /** The whole gallery, most similar first, this image selected: for an image with a vector only (D19). */
  private similarHref(img: ImageEntry): string | null {
    const table = this.deps.dataset?.loaded.table;
    if (!table || !hasVector(table, this.queries.columns, img.ordinal)) return null;
    return browseHref(BrowseQuery.parse({}), {
      recursive: true,
      sort: "similar",
      similar: img.path,
      sel: img.path,
    });
  }

  /** Like details, reading the image header first if its dimensions are not cached yet (~1 ms, once). */
  async detailsWithDims(path: string): Promise<ItemDetails | null> {
    const img = this.deps.gallery.get(path);
    if (!img) return null;
    if (this.deps.dims.peek(img) === undefined) await this.deps.dims.get(img);
    // Issue 12: its XMP seeds its labels before anyone sees them; its EXIF is read once.
    await this.deps.xmpSeeder?.ensure(img);
    if (this.deps.exif.peek(img) === undefined) await this.deps.exif.get(img);
    return this.details(path);
  }

  /** Reads the image header of `path` once if its dimensions are not cached, so the views that follow show them. */
  async ensureDims(path: string | undefined): Promise<void> {
    const img = path ? this.deps.gallery.get(path) : undefined;
    if (img && this.deps.dims.peek(img) === undefined) await this.deps.dims.get(img);
  }

  /** What a multi-selection holds: ratings, tags with counts, and whether the notes agree. */
  bulk(paths: readonly string[]): BulkModel {
    const stars = new Map<number | null, number>();
    const flags = new Map<Flag | null, number>();
    const colors = new Map<Color | null, number>();
    const tags = new Map<string, number>();
    const notes = new Set<string>();
    let count = 0;
    for (const path of new Set(paths)) {
      if (!this.deps.gallery.get(path)) continue;
      count++;
      const s = this.deps.labels.get(path);
      stars.set(s.star, (stars.get(s.star) ?? 0) + 1);
      flags.set(s.flag, (flags.get(s.flag) ?? 0) + 1);
      colors.set(s.color, (colors.get(s.color) ?? 0) + 1);
      for (const t of s.tags) tags.set(t, (tags.get(t) ?? 0) + 1);
      notes.add(s.notes);
    }
    return {
      count,
      // Most first; a tie: higher ratings first, unrated last.
      stars: [...stars].sort((a, b) => b[1] - a[1] || (b[0] ?? -1) - (a[0] ?? -1)),
      flags: [...flags].sort((a, b) => b[1] - a[1]),
      colors: [...colors].sort((a, b) => b[1] - a[1]),
      tags: [...tags]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([tag, n]) => ({ tag, count: n })),
      notes: notes.size === 1 ? [...notes][0]! : null,
      distinctNotes: notes.size,
    };
  }

  /** Tags in use, most used first; recomputed only when labels change. */
  tagOptions(): { tag: string; count: number }[] {
    const rev = this.deps.labels.revision;
    if (this.tagCache?.revision === rev) return this.tagCache.tags;
    const counts = new Map<string, number>();
    for (const [, s] of this.deps.labels.entries())
      for (const t of s.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    const tags = [...counts].map(([tag, count]) => ({ tag, count }));
    tags.sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
    this.tagCache = { revision: rev, tags: tags.slice(0, 200) };
    return this.tagCache.tags;
  }

  /** Metric names in use (for "sort by metric"), sorted; recomputed only when labels change. */
  metricNames(): string[] {
    const rev = this.deps.labels.revision;
    if (this.metricCache?.revision === rev) return this.metricCache.names;
    const names = new Set<string>(this.deps.dataset?.metricNames);

    for (const [, s] of this.deps.labels.entries()) for (const m in s.metrics) names.add(m);
    this.metricCache = { revision: rev, names: [...names].sort().slice(0, 100) };
    return this.metricCache.names;
  }

  private node(path: string, expand: Set<string>, current: string): TreeNode {
    const f = this.deps.gallery.folder(path)!;
    const open = expand.has(path) && f.folders.length > 0;
    const shown = open ? this.childPage(f.folders, current, 0) : null;
    return {
      path,
      name: path === "/" ? "All images" : f.name,
      totalImages: f.totalImages,
      childCount: f.folders.length,
      children: shown ? shown.page.map((p) => this.node(p, expand, current)) : null,
      remaining: shown ? f.folders.length - shown.page.length : 0,
    };
  }

  /** A page of child folders; the first page always includes the child on the way to `current`. */
  private childPage(children: string[], current: string, offset: number): { page: string[] } {
    const page = children.slice(offset, offset + TREE_PAGE);
    if (offset === 0) {
      const onPath = children.find((c) => current === c || current.startsWith(`${c}/`));
      if (onPath && !page.includes(onPath)) page.push(onPath);
    }
    return { page };
  }

  /** The root node plus its children, with the ancestors of `current` expanded. */
  tree(q: BrowseQuery): { root: TreeNode; children: TreeChildrenModel } {
    const expand = new Set([...ancestorsOf(q.folder), q.folder]);
    const root = this.node("/", expand, q.folder);
    return {
      root: { ...root, children: null },
      children: {
        parent: "/",
        nodes: root.children ?? [],
        remaining: root.remaining,
        nextOffset: root.children?.length ?? 0,
        current: q.folder,
        q,
      },
    };
  }

  treeChildren(
    folder: string,
    offset: number,
    current: string,
    q: BrowseQuery,
  ): TreeChildrenModel | null {
    const f = this.deps.gallery.folder(folder);
    if (!f) return null;
    const { page } = this.childPage(f.folders, current, offset);
    const expand = new Set(ancestorsOf(current));
    return {
      parent: folder,
      nodes: page.map((p) => this.node(p, expand, current)),
      remaining: Math.max(0, f.folders.length - offset - page.length),
      nextOffset: offset + page.length,
      current,
      q,
    };
  }

  viewer(q: BrowseQuery, path: string): ViewerModel | null {
    const item = this.details(path);
    if (!item) return null;
    const view = this.queries.view(q);
    let index = view.indexOf(path);
    const total = view.total;
    if (index < 0) index = 0;
    const entry = (i: number) => (i >= 0 && i < total ? view.at(i) : undefined);
    const prev = entry(index - 1);
    const next = entry(index + 1);
    const href = (p: string) => browseHref(q, { sel: p, view: true });
    const preload = [next, prev, entry(index + 2)]
      .filter((x): x is ImageEntry => !!x)
      .map((img) => this.viewUrl(img));
    return {
      item,
      index,
      total,
      prevHref: prev ? href(prev.path) : null,
      nextHref: next ? href(next.path) : null,
      closeHref: browseHref(q, { sel: path, view: false }),
      preload,
      prevPath: prev?.path ?? null,
      nextPath: next?.path ?? null,
    };
  }
}
