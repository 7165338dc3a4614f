/**
 * XMP out (spec X4, X5): with `--xmp write`, a sidecar beside each labelled
 * image follows its labels. The images themselves are never written.
 *
 * Label writes never wait for this: the writer listens to `item-updated`
 * (published only after the journal made the write durable) and queues the
 * path; several changes to one image before its turn are one write of its
 * latest labels (coalescing). Each write reads the sidecar already there
 * (through the root check), merges Lenslet's fields into it (labels.ts keeps
 * every other field) and replaces it atomically (temp, fsync, rename, fsync of
 * the folder). A failure (a read-only folder, a sidecar that is not XMP) is
 * counted and shown in /health.xmp, and the next change retries.
 */
import fs from "node:fs";
import { basename, dirname, join } from "node:path";
import { replaceFileSync, writeAll } from "../core/durable-file.ts";
import type { Logger } from "../core/logger.ts";
import type { ImageEntry } from "../gallery/types.ts";
import type { Sidecar } from "../labels/schema.ts";
import type { RootFiles } from "../media/root-file.ts";
import { mergeLabelsIntoXmp } from "./labels.ts";
import { sidecarNames } from "./seed.ts";

/** `ext`: `image.jpg.xmp` (digiKam, darktable); `base`: `image.xmp` (Lightroom, Capture One). */
export type XmpStyle = "ext" | "base";

export interface SyncHealth {
  /** Sidecars written since start. */
  written: number;
  /** Images waiting for their sidecar. */
  pending: number;
  failed: number;
  last_error: string | null;
  /** Milliseconds from the label change being durable to its sidecar being durable (last 1,000). */
  latency_ms: { p50: number | null; p99: number | null };
}

export function sidecarPathOf(img: Pick<ImageEntry, "fsPath">, style: XmpStyle): string {
  const [ext, base] = sidecarNames(basename(img.fsPath));
  return join(dirname(img.fsPath), style === "ext" ? ext : base);
}

export function labelsOf(s: Sidecar) {
  return { star: s.star, flag: s.flag, color: s.color, tags: s.tags, notes: s.notes };
}

/**
 * The sidecar text `img` should have: the existing sidecar (read through the
 * root check; a link leaving the root is refused) with `labels` merged in.
 */
export function sidecarText(
  files: RootFiles,
  sidecarPath: string,
  record: Sidecar,
  toolkit: string,
): string {
  const opened = files.open(sidecarPath);
  if (opened.kind === "refused") throw new Error(`${sidecarPath}: ${opened.reason}`);
  let existing: string | null = null;
  if (opened.kind === "ok") {
    try {
      existing = opened.file.readNow().toString("utf8");
    } finally {
      opened.file.close();
    }
  }
  return mergeLabelsIntoXmp(existing, labelsOf(record), toolkit);
}

export class XmpWriter {
  /** Path → when its newest change became durable (ms, performance.now). */
  private readonly queue = new Map<string, number>();
  private working = false;
  private idleWaiters: (() => void)[] = [];
  private writtenCount = 0;
  private failedCount = 0;
  private lastError: string | null = null;
  private readonly latencies: number[] = [];
  private stopped = false;

  constructor(
    private readonly deps: {
      labels: { get(path: string): Sidecar };
      gallery: { get(path: string): ImageEntry | undefined };
      files: RootFiles;
      log: Logger;
      style: XmpStyle;
      toolkit: string;
    },
  ) {}

  /** A label of `path` changed and is durable. */
  changed(path: string): void {
    if (this.stopped) return;
    this.queue.delete(path);
    // Re-inserted: a coalesced change keeps the time of the newest one, and goes last.
    this.queue.set(path, performance.now());
    if (!this.working) void this.drain();
  }

  health(): SyncHealth {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length
        ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100
        : null;
    return {
      written: this.writtenCount,
      pending: this.queue.size,
      failed: this.failedCount,
      last_error: this.lastError,
      latency_ms: { p50: at(0.5), p99: at(0.99) },
    };
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.working && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is queued, then stops taking changes. */
  async stop(): Promise<void> {
    await this.idle();
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    this.working = true;
    try {
      while (this.queue.size > 0) {
        const [path, since] = this.queue.entries().next().value as [string, number];
        this.queue.delete(path);
        this.writeOne(path, since);
        // Let requests in between sidecars: label writes must not wait behind a long queue.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.working = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private writeOne(path: string, since: number): void {
    const img = this.deps.gallery.get(path);
    if (!img) return;
    const target = sidecarPathOf(img, this.deps.style);
    try {
      // The folder must still be inside the root (a folder swapped for a link since indexing is not).
      const real = fs.realpathSync(dirname(target));
      const rootReal = this.deps.files.realRoot;
      if (real !== rootReal && !real.startsWith(rootReal === "/" ? "/" : `${rootReal}/`)) {
        throw new Error("its folder resolves outside the gallery root");
      }
      const text = sidecarText(
        this.deps.files,
        target,
        this.deps.labels.get(path),
        this.deps.toolkit,
      );
      const mode = fileMode(target);
      replaceFileSync(target, (fd) => writeAll(fd, text), mode, true);
      this.writtenCount++;
      this.latencies.push(performance.now() - since);
      if (this.latencies.length > 1000) this.latencies.shift();
    } catch (err) {
      this.failedCount++;
      this.lastError = `${target}: ${(err as Error).message}`;
      this.deps.log.warn(`xmp: could not write ${this.lastError}`);
    }
  }
}

/** Keep an existing sidecar's permissions; a new one is 0644 (less the umask). */
function fileMode(path: string): number {
  try {
    const st = fs.lstatSync(path);
    return st.isFile() ? st.mode & 0o777 : 0o644;
  } catch {
    return 0o644;
  }
}
