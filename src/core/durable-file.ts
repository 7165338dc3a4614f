/**
 * Replacing a small file so that a crash leaves either the old or the new
 * content, never a mix: write a temp file, fsync it, rename it over the
 * target, fsync the folder (so the rename itself survives a power cut).
 *
 * src/labels/journal.ts has its own copy of fsyncDir for its bigger files;
 * new callers use this one.
 */
import fs from "node:fs";
import { dirname } from "node:path";

export function fsyncDir(filePath: string): void {
  const fd = fs.openSync(dirname(filePath), "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Atomically replaces `path` with `data` (mode applies to the new file). */
export function writeFileDurably(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, "w", mode);
  try {
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    let done = 0;
    while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  fsyncDir(path);
}
