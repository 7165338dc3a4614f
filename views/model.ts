/**
 * What the views render: plain data assembled by the routes (src/routes/pages.ts).
 * Views never reach into the index or the label store themselves.
 */
import type { GrantableRole, Role } from "../src/access/roles.ts";
import type { BrowseQuery } from "../src/gallery/browse-query.ts";
import type { ExifFacts } from "../src/media/exif.ts";

export interface CardModel {
  path: string;
  name: string;
  thumbUrl: string;
  star: number | null;
  tags: string[];
  /** Lightroom's flag and colour label (null when none). */
  flag: "pick" | "reject" | null;
  color: "red" | "yellow" | "green" | "blue" | "purple" | null;
  version: number;
  /** Folder shown under the name in recursive views. */
  folder: string | null;
  /** That folder's browse URL (same filters and sort). */
  folderHref: string | null;
  /** The browse URL with this card selected (works without JS). */
  href: string;
  /** The sorted-by metric's value or the similarity score, as shown on the card (null: none). */
  sortValue?: { label: string; text: string } | null;
  /**
   * Stacks (M6): a stack's card (`size` ≥ 2, `open` when its images follow it) or an image of the
   * open stack (`member`); `toggle` is the view with it opened or closed. Absent: a plain card.
   */
  stack?: { size: number; member: boolean; open: boolean; toggle: string } | null;
}

export interface TreeNode {
  path: string;
  name: string;
  totalImages: number;
  childCount: number;
  /** Loaded children (ancestors of the current folder are expanded on first render). */
  children: TreeNode[] | null;
  /** Loaded children beyond the first page, fetched on demand. */
  remaining: number;
}

export interface TreeChildrenModel {
  parent: string;
  nodes: TreeNode[];
  /** Children not rendered yet (paged so a folder with 10,000 subfolders stays light). */
  remaining: number;
  nextOffset: number;
  current: string;
  q: BrowseQuery;
}

export interface ItemDetails {
  path: string;
  name: string;
  folder: string;
  size: number;
  mtimeMs: number;
  width: number;
  height: number;
  fileUrl: string;
  /** What the viewer shows: the original when a browser decodes its format, else `displayUrl`. */
  viewUrl: string;
  /** The server-made display image (long edge 2,560 px), also the fallback when the original fails to decode. */
  displayUrl: string;
  previewUrl: string;
  star: number | null;
  tags: string[];
  notes: string;
  metrics: Record<string, number>;
  /** A table row's categories, text and dates (D25), in column order; none for a folder's image. */
  fields?: { name: string; kind: "category" | "text" | "date"; value: string | number }[];
  flag: "pick" | "reject" | null;
  color: "red" | "yellow" | "green" | "blue" | "purple" | null;
  /** EXIF facts (M1), null when the file has none or they are not read yet. */
  exif: ExifFacts | null;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  /** "Find similar" (D19): the gallery sorted by similarity to this image; null without a vector. */
  similarHref?: string | null;
}

/** A subfolder shown as a tile in the grid (views/FolderTiles.tsx). */
export interface FolderTileModel {
  path: string;
  name: string;
  /** Images in it and below it. */
  images: number;
  /** Thumbnail of its first image (name order, its subfolders included), or null when it has none. */
  thumbUrl: string | null;
  /** The browse URL of that folder, this view's sort and filters kept. */
  href: string;
}

export interface BrowseModel {
  q: BrowseQuery;
  folderName: string;
  crumbs: { path: string; name: string }[];
  /** Cards in the view: items matching the query, a stack counted once (M6). */
  total: number;
  /** Images matching the query (those inside stacks too). */
  images: number;
  /** Stacking on (M6): how many stacks the view has and how many images are in them. */
  stacks: { kind: "bursts" | "duplicates"; stacks: number; inStacks: number } | null;
  /** Items in the folder (or subtree) before filters. */
  unfiltered: number;
  subfolderCount: number;
  /** The subfolders as tiles, when the folder has no images of its own (else empty). */
  folderTiles: FolderTileModel[];
  offset: number;
  limit: number;
  cards: CardModel[];
  tagOptions: { tag: string; count: number }[];
  /** Metric names in use: each is a sort option. */
  metricNames: string[];
  /** The item named by `sel`, if any. */
  selected: ItemDetails | null;
  /** Where the page/fragment endpoints for this query live (query string only). */
  queryString: string;
  /** What the link asked for and is not there (a vanished folder or image): said above the grid. */
  notices: string[];
  /** With no match here: how many the same search and filters find in the subfolders, and the link to them. */
  deeper: { count: number; href: string } | null;
  /** Random order: the same view with a new seed. */
  reshuffleHref: string | null;
}

/** Who the page is for, when access control is on (null when it is off). */
export interface PageAccess {
  name: string;
  role: Role;
  personId: string;
  /** Roles this person may hand out; empty: no Share dialog. */
  grantable: GrantableRole[];
}

export interface AppShellModel {
  browse: BrowseModel;
  tree: TreeChildrenModel;
  title: string;
  /** Labels persist to the workspace (false: memory only). */
  canWrite: boolean;
  /** Why writes from this page will be refused (another origin or host), for this request; else null. */
  writeRefusal: string | null;
  notice: string | null;
  durability: string;
  version: string;
  lastEventId: number;
  access: PageAccess | null;
}

/** The Metrics panel's numbers: the shape of GET /facets' answer (src/routes/facets.ts). */
export interface FacetsModel {
  total: number;
  base_total: number;
  facets: (
    | {
        kind: "histogram";
        field: string;
        /** Dates (epoch ms): shown as dates, brushed with ISO ends. */
        date: boolean;
        min: number | null;
        max: number | null;
        counts: number[];
        whole: number[];
        missing: number;
        missing_whole: number;
      }
    | {
        kind: "values";
        field: string;
        values: { value: string | null; count: number; whole: number }[];
      }
  )[];
}
