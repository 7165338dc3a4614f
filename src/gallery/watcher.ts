/**
 * Keeps the index current while Lenslet runs: one recursive `fs.watch` on the
 * root; the folders named by its events are collected and refreshed together
 * once the disk has been quiet for a moment (or at the latest after `maxWaitMs`
 * while a long copy goes on), and each refresh that changed something is
 * handed to `onChange` as one GalleryChanged (the server publishes it).
 */
import { type FSWatcher, watch } from "node:fs";
import type { Logger } from "../core/logger.ts";
import { ancestorsOf, tryCanonicalPath } from "../core/paths.ts";
import type { GalleryChange, GalleryIndex } from "./gallery-index.ts";
import type { GalleryChanged } from "./types.ts";

/** Rewritten paths listed per event; the rest are counted only. */
const MAX_MODIFIED = 200;

export interface WatcherOptions {
  index: GalleryIndex;
  onChange: (change: GalleryChanged) => void;
  log: Pick<Logger, "warn">;
  quietMs?: number;
  maxWaitMs?: number;
}

export interface GalleryWatcher {
  /** Refreshes what is pending now (tests, shutdown). */
  flush(): GalleryChanged | null;
  close(): void;
}

/** The event for one refresh: what changed plus the new totals along every changed folder's ancestry. */
export function describeChange(index: GalleryIndex, change: GalleryChange): GalleryChanged {
  const totals: Record<string, number> = {};
  for (const folder of change.folders) {
    for (const p of [...ancestorsOf(folder), folder]) {
      const f = index.folder(p);
      if (f) totals[p] = f.totalImages;
    }
  }
  return {
    folders: change.folders,
    tree: change.tree,
    gone: change.gone,
    added: change.added.length,
    removed: change.removed.length,
    modified: change.modified.slice(0, MAX_MODIFIED),
    totals,
  };
}

export function watchGallery(opts: WatcherOptions): GalleryWatcher {
  const { index } = opts;
  const quietMs = opts.quietMs ?? 250;
  const maxWaitMs = opts.maxWaitMs ?? 1000;
  const pending = new Set<string>();
  const files = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstAt = 0;
  let watcher: FSWatcher | null = null;

  const flush = (): GalleryChanged | null => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.size === 0) return null;
    const folders = [...pending];
    const named = new Set(files);
    pending.clear();
    files.clear();
    const change = index.refresh(folders, named);
    if (!change) return null;
    const event = describeChange(index, change);
    opts.onChange(event);
    return event;
  };

  const note = (relative: string) => {
    if (index.rules.ignores(relative)) return;
    const slash = relative.lastIndexOf("/");
    const folder = tryCanonicalPath(slash < 0 ? "/" : `/${relative.slice(0, slash)}`);
    if (folder === null) return;
    if (pending.size === 0) firstAt = performance.now();
    pending.add(folder);
    const file = tryCanonicalPath(`/${relative}`);
    if (file !== null) files.add(file);
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(quietMs, firstAt + maxWaitMs - performance.now()));
    timer = setTimeout(flush, wait);
  };

  try {
    watcher = watch(index.rules.realRoot, { recursive: true }, (_event, name) => {
      // Without a name we cannot tell where: the root's own listing is the safe guess.
      note(typeof name === "string" ? name : "");
    });
    watcher.on("error", (err) => {
      opts.log.warn(
        `not watching the folder any more (${err.message}); new files appear after a restart`,
      );
      watcher?.close();
      watcher = null;
    });
  } catch (err) {
    opts.log.warn(
      `cannot watch the folder (${(err as Error).message}); new files appear after a restart`,
    );
  }

  return {
    flush,
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
      files.clear();
      watcher?.close();
      watcher = null;
    },
  };
}
