/** Builds small real image folders for tests (real files, real sharp-encoded images). */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";

const cache = new Map<string, Buffer>();

/** A real, decodable image of the given format and size (cached per shape). */
export async function imageBytes(
  format: "jpeg" | "png" | "webp" = "jpeg",
  w = 24,
  h = 16,
  color = "#3a7",
): Promise<Buffer> {
  const key = `${format}:${w}x${h}:${color}`;
  let buf = cache.get(key);
  if (!buf) {
    buf = await sharp({ create: { width: w, height: h, channels: 3, background: color } })
      .toFormat(format)
      .toBuffer();
    cache.set(key, buf);
  }
  return buf;
}

export function tempDir(prefix = "lenslet-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes files below `root`. Keys are relative paths; values are image specs,
 * raw bytes/strings, or a number of seconds to use as mtime with default image bytes.
 */
export async function writeTree(
  root: string,
  files: Record<
    string,
    {
      format?: "jpeg" | "png" | "webp";
      w?: number;
      h?: number;
      mtime?: number;
      bytes?: Buffer | string;
    }
  >,
): Promise<void> {
  for (const [rel, spec] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    const bytes =
      spec.bytes ?? (await imageBytes(spec.format ?? "jpeg", spec.w ?? 24, spec.h ?? 16));
    writeFileSync(abs, bytes);
    if (spec.mtime !== undefined) utimesSync(abs, spec.mtime, spec.mtime);
  }
}
