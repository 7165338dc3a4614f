/**
 * Durable file steps shared by the journal, the snapshot and the id floor:
 * write everything, fsync a file, fsync its folder (so a rename or a new file
 * survives a crash), and replace a file atomically (temp, fsync, rename, fsync
 * folder: a reader sees the old file or the new one, never a mix).
 */
import fs from "node:fs";

export function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

export function fsyncDir(filePath: string): void {
  const dir = filePath.slice(0, Math.max(1, filePath.lastIndexOf("/")));
  const fd = fs.openSync(dir, "r");
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

/** replaceFile, blocking: for startup and repair, when nothing else runs yet. */
export function replaceFileSync(path: string, fill: (fd: number) => void): number {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fill(fd);
    return finish(fd, tmp, path);
  } catch (err) {
    closeQuietly(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function finish(fd: number, tmp: string, path: string): number {
  fs.fsyncSync(fd);
  const bytes = fs.fstatSync(fd).size;
  fs.closeSync(fd);
  fs.renameSync(tmp, path);
  fsyncDir(path);
  return bytes;
}
