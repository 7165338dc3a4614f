/**
 * EXIF facts of an image (spec M1): camera, lens, exposure, aperture, ISO,
 * focal length and capture time, read with exifr from the file's first bytes
 * (through RootFiles: the descriptor proven inside the root, never a name),
 * lazily, and cached in `exif.json` in the workspace like dimensions.
 */
import exifr from "exifr";
import type { ImageEntry } from "../gallery/types.ts";
import { FactCache, REFUSED } from "./fact-cache.ts";
import type { RootFile, RootFiles } from "./root-file.ts";

export interface ExifFacts {
  /** "Canon EOS R5" (the make is left out when the model already starts with it). */
  camera: string | null;
  lens: string | null;
  /** Exposure time in seconds (0.004 = 1/250 s). */
  exposure: number | null;
  /** f-number. */
  aperture: number | null;
  iso: number | null;
  /** Focal length in mm. */
  focal: number | null;
  /** Capture time as the camera wrote it, ISO-8601 (`2024-05-01T10:11:12.345+02:00`; no offset when it wrote none). */
  taken: string | null;
  /** The same in ms since epoch (a time without offset counts as UTC): for sorting and bursts. */
  taken_ms: number | null;
}

/** Enough for the EXIF and XMP segments of nearly every file. */
export const HEADER_BYTES = 256 * 1024;

/** The first bytes of an opened file (its header segments). */
export function readHeader(file: RootFile): Promise<Buffer> {
  return file.read(0, Math.min(file.size, HEADER_BYTES));
}

const str = (v: unknown): string | null =>
  typeof v === "string" && v.trim() !== "" ? v.replace(/\0+$/, "").trim() : null;
const num = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;

/** EXIF "2024:05:01 10:11:12" (+ sub-seconds and offset) as ISO-8601 and epoch ms. */
export function captureTime(
  raw: unknown,
  subSec?: unknown,
  offset?: unknown,
): { taken: string; taken_ms: number } | null {
  const m =
    typeof raw === "string"
      ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(raw.trim())
      : null;
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const frac =
    typeof subSec === "string" || typeof subSec === "number"
      ? String(subSec).trim().replace(/\D.*$/, "")
      : "";
  const ms = frac ? `.${frac.padEnd(3, "0").slice(0, 3)}` : "";
  const off =
    typeof offset === "string" && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : "";
  const taken = `${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${off}`;
  const at = Date.parse(off ? taken : `${taken}Z`);
  if (!Number.isFinite(at) || Number(mo) < 1 || Number(mo) > 12) return null;
  return { taken, taken_ms: at };
}

/** The facts in a header's EXIF; null when it has none. */
export async function exifOf(header: Buffer): Promise<ExifFacts | null> {
  let out: Record<string, unknown> | undefined;
  try {
    out = await exifr.parse(header, {
      tiff: true,
      exif: true,
      gps: false,
      interop: false,
      ifd1: false,
      xmp: false,
      iptc: false,
      icc: false,
      jfif: false,
      ihdr: false,
      reviveValues: false,
      translateValues: false,
      mergeOutput: true,
    });
  } catch {
    return null;
  }
  if (!out) return null;
  const make = str(out.Make);
  const model = str(out.Model);
  const camera =
    model && make && !model.toLowerCase().startsWith(make.toLowerCase().split(" ")[0] ?? "")
      ? `${make} ${model}`
      : (model ?? make);
  const time =
    captureTime(out.DateTimeOriginal, out.SubSecTimeOriginal, out.OffsetTimeOriginal) ??
    captureTime(
      out.CreateDate ?? out.DateTimeDigitized,
      out.SubSecTimeDigitized,
      out.OffsetTimeDigitized,
    ) ??
    captureTime(out.ModifyDate ?? out.DateTime, out.SubSecTime, out.OffsetTime);
  const facts: ExifFacts = {
    camera,
    lens: str(out.LensModel) ?? str(out.Lens),
    exposure: num(out.ExposureTime),
    aperture: num(out.FNumber),
    iso: num(out.ISO) ?? num(out.ISOSpeedRatings),
    focal: num(out.FocalLength),
    taken: time?.taken ?? null,
    taken_ms: time?.taken_ms ?? null,
  };
  return Object.values(facts).every((v) => v === null) ? null : facts;
}

function isFacts(v: unknown): v is ExifFacts {
  return typeof v === "object" && v !== null && "taken_ms" in v && "camera" in v;
}

/** "1/250 s", "2.5 s" */
export function exposureText(seconds: number): string {
  if (seconds >= 0.3) return `${Number(seconds.toFixed(1))} s`;
  return `1/${Math.round(1 / seconds)} s`;
}

export class ExifReader {
  private readonly cache: FactCache<ExifFacts>;

  constructor(opts: {
    files: RootFiles;
    cacheDir: string | null;
    log?: { warn(m: string): void };
  }) {
    this.cache = new FactCache<ExifFacts>({
      dir: opts.cacheDir,
      file: "exif.json",
      format: 1,
      valid: isFacts,
      log: opts.log,
      read: async (entry) => {
        const opened = opts.files.open(entry.fsPath);
        if (opened.kind === "refused") return REFUSED;
        if (opened.kind !== "ok") return null;
        try {
          return await exifOf(await readHeader(opened.file));
        } finally {
          opened.file.close();
        }
      },
    });
  }

  peek(entry: ImageEntry): ExifFacts | null | undefined {
    return this.cache.peek(entry);
  }

  /** The facts of one image; null when it has none or is no longer inside the root. */
  async get(entry: ImageEntry): Promise<ExifFacts | null> {
    const facts = await this.cache.get(entry);
    return facts === REFUSED ? null : facts;
  }

  /** Reads every entry not cached yet (a few at a time): what sort=taken needs before it can order. */
  async fill(entries: readonly ImageEntry[]): Promise<void> {
    const missing = entries.filter((e) => this.cache.peek(e) === undefined);
    await Promise.all(missing.map((e) => this.cache.get(e)));
  }

  /** Capture time for queries (ImageFacts of run-query): only what is cached, never a read. */
  takenMs(entry: ImageEntry): number | undefined {
    return this.cache.peek(entry)?.taken_ms ?? undefined;
  }

  get revision(): number {
    return this.cache.revision;
  }

  flush(): Promise<void> {
    return this.cache.flush();
  }
}
