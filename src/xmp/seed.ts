/**
 * XMP in (spec X1, X2): labels other tools wrote seed Lenslet's, once, for
 * images Lenslet has no record of. Sources, first found wins: the sidecar
 * `image.ext.xmp` (digiKam, darktable), the sidecar `image.xmp` (Lightroom,
 * Capture One), then XMP embedded in the image. Every file is opened through
 * RootFiles (inside the root, checked on the descriptor). A sidecar that is
 * not XMP is skipped and counted, never fatal. Seeds go through the label
 * store like any write (journaled, published), as a batch on base version 1,
 * so an image someone labelled meanwhile is left alone; `updated_by` says
 * where the labels came from ("XMP sidecar", "XMP in image").
 *
 * A background pass after start reads each folder's listing once and seeds
 * from the sidecars it finds (cheap: no image is opened); `ensure(img)` seeds
 * one image at once, embedded XMP included, so the inspector and GET /item
 * never show an image's labels before its XMP was read.
 */
import { readdirSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import exifr from "exifr";
import type { Logger } from "../core/logger.ts";
import type { FolderImages } from "../gallery/gallery-index.ts";
import type { ImageEntry } from "../gallery/types.ts";
import type { BatchItem } from "../labels/store.ts";
import type { LabelStoreApi } from "../labels/store-api.ts";
import { readHeader } from "../media/exif.ts";
import type { RootFiles } from "../media/root-file.ts";
import { isEmptyLabels, labelsFromXmp, type XmpLabels } from "./labels.ts";

export const FROM_SIDECAR = "XMP sidecar";
export const FROM_EMBEDDED = "XMP in image";

export interface SeedHealth {
  /** Images whose labels were seeded from XMP since start. */
  seeded: number;
  /** Images looked at (sidecars and embedded XMP read or found absent). */
  checked: number;
  /** Sidecars (or embedded packets) that were not XMP: skipped. */
  malformed: number;
  /** True while the background pass runs. */
  running: boolean;
  last_error: string | null;
}

/** How long the background pass runs before it lets requests in. */
const SLICE_MS = 8;

/** A malformed sidecar is "found": it is skipped once, not read again and again. */
const NO_LABELS: XmpLabels = { star: null, flag: null, color: null, tags: [], notes: "" };

interface Found {
  labels: XmpLabels;
  from: typeof FROM_SIDECAR | typeof FROM_EMBEDDED;
}

/** The two sidecar names of an image, in the order they are tried. */
export function sidecarNames(fileName: string): [string, string] {
  const ext = extname(fileName);
  return [`${fileName}.xmp`, `${fileName.slice(0, fileName.length - ext.length)}.xmp`];
}

/** Raw XMP packet text from an image header (exifr finds it in JPEG, PNG, TIFF, WebP…). */
async function embeddedXmp(header: Buffer): Promise<string | null> {
  try {
    const out = (await exifr.parse(header, {
      tiff: false,
      exif: false,
      gps: false,
      ifd1: false,
      interop: false,
      iptc: false,
      icc: false,
      jfif: false,
      ihdr: false,
      xmp: { parse: false } as never,
      mergeOutput: false,
    })) as { xmp?: unknown } | undefined;
    const raw = typeof out?.xmp === "string" ? out.xmp : null;
    if (!raw) return null;
    // PNG's iTXt keeps its keyword in front ("XML:com.adobe.xmp\0…"): the packet starts at its first tag.
    const at = raw.indexOf("<");
    return at < 0 ? null : raw.slice(at).replace(/[\s\0]+$/, "");
  } catch {
    return null;
  }
}

export class XmpSeeder {
  private readonly checked = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Images read by a pass whose seed batch is not written yet: a read waits for it. */
  private readonly writing = new Map<string, Promise<void>>();
  private seededCount = 0;
  private malformedCount = 0;
  private lastError: string | null = null;
  private running = false;
  private stopped = false;

  constructor(
    private readonly deps: {
      labels: Pick<LabelStoreApi, "get" | "batch">;
      files: RootFiles;
      log: Logger;
      /** Read XMP embedded in images too (one header read per unlabelled image). */
      embedded?: boolean;
    },
  ) {}

  health(): SeedHealth {
    return {
      seeded: this.seededCount,
      checked: this.checked.size,
      malformed: this.malformedCount,
      running: this.running,
      last_error: this.lastError,
    };
  }

  stop(): void {
    this.stopped = true;
  }

  /** Seeds `img` now if it has no record and was not looked at yet (GET /item, the inspector). */
  ensure(img: ImageEntry): Promise<void> {
    // Read already, its seed not yet written (the background pass): answer once it is (X2).
    const writing = this.writing.get(img.path);
    if (writing) return writing;
    if (this.checked.has(img.path) || this.deps.labels.get(img.path).version !== 1) {
      return Promise.resolve();
    }
    let job = this.inFlight.get(img.path);
    if (!job) {
      job = this.seedGroup([img], null, this.deps.embedded !== false).finally(() =>
        this.inFlight.delete(img.path),
      );
      this.inFlight.set(img.path, job);
    }
    return job;
  }

  /**
   * The background pass: each item is one folder's images (the gallery's folders, or those the watcher
   * changed), listed only when reached. One listing of the folder's files per folder; a folder with no
   * `.xmp` file costs only that listing (embedded XMP is read by ensure(), when an image is shown). The
   * pass gives the event loop back every few milliseconds, so requests are answered while it runs.
   */
  async seedAll(folders: Iterable<FolderImages>, batchSize = 500): Promise<void> {
    this.running = true;
    let slice = performance.now();
    try {
      for (const folder of folders) {
        if (this.stopped) return;
        if (performance.now() - slice > SLICE_MS) {
          await new Promise((r) => setImmediate(r));
          slice = performance.now();
        }
        let names: Set<string>;
        try {
          names = new Set(
            readdirSync(folder.fsPath || "/").filter((n) => n.toLowerCase().endsWith(".xmp")),
          );
        } catch {
          continue;
        }
        if (names.size === 0) continue;
        const todo = folder
          .images()
          .filter(
            (img) => !this.checked.has(img.path) && this.deps.labels.get(img.path).version === 1,
          );
        for (let i = 0; i < todo.length; i += batchSize) {
          if (this.stopped) return;
          await this.seedGroup(todo.slice(i, i + batchSize), names, false);
        }
      }
    } catch (err) {
      this.lastError = (err as Error).message;
      this.deps.log.warn(`xmp: seeding stopped: ${this.lastError}`);
    } finally {
      this.running = false;
    }
  }

  /** Finds the XMP of each image, then seeds all that have labels in one batch per source. */
  private async seedGroup(
    images: ImageEntry[],
    sidecarsInDir: Set<string> | null,
    embedded: boolean,
  ): Promise<void> {
    let written = () => {};
    const done = new Promise<void>((resolve) => {
      written = resolve;
    });
    const marked: string[] = [];
    try {
      await this.findAndSeed(images, sidecarsInDir, embedded, done, marked);
    } finally {
      written();
      for (const path of marked) if (this.writing.get(path) === done) this.writing.delete(path);
    }
  }

  private async findAndSeed(
    images: ImageEntry[],
    sidecarsInDir: Set<string> | null,
    embedded: boolean,
    done: Promise<void>,
    marked: string[],
  ): Promise<void> {
    const bySource = new Map<string, { img: ImageEntry; labels: XmpLabels }[]>();
    for (const img of images) {
      if (this.checked.has(img.path)) continue;
      const found = await this.find(img, sidecarsInDir, embedded);
      // Without a sidecar and before its embedded XMP was read, ensure() still has work to do.
      if (found || embedded) {
        this.checked.add(img.path);
        // Until its batch is written, a read of this image waits for it (ensure).
        this.writing.set(img.path, done);
        marked.push(img.path);
      }
      if (!found || isEmptyLabels(found.labels)) continue;
      let list = bySource.get(found.from);
      if (!list) {
        list = [];
        bySource.set(found.from, list);
      }
      list.push({ img, labels: found.labels });
    }
    for (const [from, list] of bySource) {
      const items: BatchItem[] = list.map(({ img, labels }) => ({
        path: img.path,
        // Base version 1: only an image nobody labelled yet is seeded.
        baseVersion: 1,
        fields: {
          set_star: labels.star,
          set_flag: labels.flag,
          set_color: labels.color,
          set_tags: labels.tags.slice(0, 64).map((t) => t.slice(0, 128)),
          set_notes: labels.notes.slice(0, 20_000),
        },
      }));
      try {
        const { outcome } = await this.deps.labels.batch(items, {
          updatedBy: from,
          clientId: "xmp",
          key: null,
          requestHash: null,
        });
        this.seededCount += outcome.results.filter((r) => r.kind === "applied").length;
      } catch (err) {
        // Not saved (the disk): looked at again on the next pass or read.
        for (const { img } of list) this.checked.delete(img.path);
        this.lastError = (err as Error).message;
      }
    }
  }

  private async find(
    img: ImageEntry,
    sidecarsInDir: Set<string> | null,
    embedded: boolean,
  ): Promise<Found | null> {
    const dir = dirname(img.fsPath);
    for (const name of sidecarNames(basename(img.fsPath))) {
      // In a pass the folder was listed once; alone, try both names (a missing one is cheap).
      const present = sidecarsInDir
        ? [...sidecarsInDir].find((n) => n === name || n.toLowerCase() === name.toLowerCase())
        : name;
      if (!present) continue;
      const text = this.readText(join(dir, present));
      if (text === null) continue;
      try {
        return { labels: labelsFromXmp(text), from: FROM_SIDECAR };
      } catch (err) {
        this.malformedCount++;
        this.deps.log.warn(`xmp: skipping ${join(dir, present)}: ${(err as Error).message}`);
        return { labels: NO_LABELS, from: FROM_SIDECAR };
      }
    }
    if (!embedded) return null;
    const opened = this.deps.files.open(img.fsPath);
    if (opened.kind !== "ok") return null;
    let packet: string | null;
    try {
      packet = await embeddedXmp(await readHeader(opened.file));
    } finally {
      opened.file.close();
    }
    if (packet === null) return null;
    try {
      return { labels: labelsFromXmp(packet), from: FROM_EMBEDDED };
    } catch {
      this.malformedCount++;
      return null;
    }
  }

  /** A sidecar's text through the root check; null when absent, refused or too big to be XMP. */
  private readText(fsPath: string): string | null {
    const opened = this.deps.files.open(fsPath);
    if (opened.kind !== "ok") return null;
    try {
      if (opened.file.size > 4 * 1024 * 1024) {
        this.malformedCount++;
        return null;
      }
      return opened.file.readNow().toString("utf8");
    } finally {
      opened.file.close();
    }
  }
}
