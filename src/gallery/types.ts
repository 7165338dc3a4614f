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
  /** Images in this folder and every folder below it. */
  totalImages: number;
}

/** Files or folders appeared, vanished or were rewritten on disk (the watcher). */
export interface GalleryChanged {
  /** Folders whose own images or subfolders changed. */
  folders: string[];
  /** Of those, the folders whose subfolders changed (the folder tree re-reads their children). */
  tree: string[];
  /** Folders that vanished with everything below them: a page showing one goes up. */
  gone: string[];
  added: number;
  removed: number;
  /** Rewritten images (new size or mtime), up to a cap: their thumbnails change. */
  modified: string[];
  /** Image totals of the changed folders and all their ancestors, for the folder tree. */
  totals: Record<string, number>;
}
