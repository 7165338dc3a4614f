/** What the index knows about one image file. */
export interface ImageEntry {
  /** Canonical path (src/core/paths.ts), relative to the gallery root. */
  path: string;
  /** Canonical path of the containing folder. */
  folder: string;
  name: string;
  /** Absolute file-system path (inside the root, never outside). */
  fsPath: string;
  size: number;
  mtimeMs: number;
  /** Position in the index's own order (folder by folder, natural name order): the "name" sort. */
  ordinal: number;
  /** Filled lazily from the dimension cache; 0 while unknown. */
  width: number;
  height: number;
}

export interface FolderEntry {
  path: string;
  name: string;
  /** Direct child folder paths, sorted by name. */
  folders: string[];
  /** Direct images, in name order. */
  images: ImageEntry[];
  /** Images in this folder and every folder below it. */
  totalImages: number;
}
