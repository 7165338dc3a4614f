/**
 * Durable file steps, the one home for them (the journal, the snapshot, the id
 * floor, access.json and access.key all use these):
 * write everything, fsync a file, fsync its folder (so a rename or a new file
 * survives a crash), and replace a file atomically (temp, fsync, rename, fsync
 * folder: a reader sees the old file or the new one, never a mix).
 */
import fs from "node:fs";
import { dirname } from "node:path";

export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

export function fsyncDir(filePath: string): void {
  const fd = fs.openSync(dirname(filePath), "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

/**
 * Replaces `path` atomically with what `fill(fd)` writes into `path.tmp`.
 * Returns the new file's size. On failure the temp file is removed and `path` is untouched.
 */
export async function replaceFile(
  path: string,
  fill: (fd: number) => void | Promise<void>,
): Promise<number> {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    await fill(fd);
    return finish(fd, tmp, path);
  } catch (err) {
    closeQuietly(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * replaceFile, blocking: for startup and repair, when nothing else runs yet, and small files.
 * `exclusive`: for folders others write too (XMP sidecars beside the images): a leftover or
 * planted `path.tmp` (a symlink included) is removed and the temp file created anew (O_EXCL
 * never follows a link), so the write can only land on `path` itself.
 */
export function replaceFileSync(
  path: string,
  fill: (fd: number) => void,
  mode = 0o666,
  exclusive = false,
): number {
  const tmp = `${path}.tmp`;
  if (exclusive) fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, exclusive ? "wx" : "w", mode);
  try {
    fill(fd);
    return finish(fd, tmp, path);
  } catch (err) {
    closeQuietly(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Atomically replaces a small file with `data`; private (0600) unless told otherwise. */
export function writeFileDurably(path: string, data: string | Uint8Array, mode = 0o600): void {
  replaceFileSync(path, (fd) => writeAll(fd, data), mode);
}

function finish(fd: number, tmp: string, path: string): number {
  fs.fsyncSync(fd);
  const bytes = fs.fstatSync(fd).size;
  fs.closeSync(fd);
  fs.renameSync(tmp, path);
  fsyncDir(path);
  return bytes;
}
