/**
 * Checksummed JSON lines, the on-disk unit of both the journal and the
 * snapshot. A line is plain JSON whose last member is a CRC32 of everything
 * before it: `{"ev":12,…,"crc":"1a2b3c4d"}\n`. A reader can tell a damaged
 * line from a good one without trusting its content.
 */
import fs from "node:fs";

/** `,"crc":"xxxxxxxx"}` */
const SUFFIX_LENGTH = 18;
const SUFFIX_HEAD = Buffer.from(',"crc":"');
const NEWLINE = 10;
const QUOTE = 34;
const BRACE = 125;

function crcHex(text: string | Uint8Array): string {
  return Bun.hash.crc32(text).toString(16).padStart(8, "0");
}

/** One line, newline included. `value` must serialise to a non-empty JSON object. */
export function encodeLine(value: object): string {
  const json = JSON.stringify(value);
  const body = json.slice(0, -1);
  return `${body},"crc":"${crcHex(body)}"}\n`;
}

export type LineProblem = "checksum" | "json" | "format";
export type Decoded =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; problem: LineProblem };

/** Decodes bytes [start, end) (without the newline). */
export function decodeLine(buf: Buffer, start: number, end: number): Decoded {
  const s = end - SUFFIX_LENGTH;
  if (s <= start || buf[end - 1] !== BRACE || buf[end - 2] !== QUOTE) {
    return { ok: false, problem: "format" };
  }
  for (let i = 0; i < SUFFIX_HEAD.length; i++) {
    if (buf[s + i] !== SUFFIX_HEAD[i]) return { ok: false, problem: "format" };
  }
  const want = Number.parseInt(buf.toString("latin1", s + 8, s + 16), 16);
  if (Bun.hash.crc32(buf.subarray(start, s)) !== want) return { ok: false, problem: "checksum" };
  try {
    const value: unknown = JSON.parse(buf.toString("utf8", start, end));
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, problem: "format" };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, problem: "json" };
  }
}

export interface RawLine {
  /** 1-based line number in the file. */
  no: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just past its newline. */
  next: number;
  decoded: Decoded;
}

export interface ScanResult {
  /** File size in bytes. */
  size: number;
  /** Bytes after the last newline (an unterminated last line), or null. */
  tail: { offset: number; length: number; no: number } | null;
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Reads a file line by line in bounded chunks and hands each decoded line to
 * `visit` in order. A final line without a newline is reported as `tail`, not visited.
 */
export function scanLines(path: string, visit: (line: RawLine) => void): ScanResult {
  const fd = fs.openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    let base = 0;
    let no = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, filled, buf.length - filled, base + filled);
      if (n === 0) break;
      filled += n;
      const view = buf.subarray(0, filled);
      let pos = 0;
      for (;;) {
        const nl = view.indexOf(NEWLINE, pos);
        if (nl === -1) break;
        no++;
        visit({ no, offset: base + pos, next: base + nl + 1, decoded: decodeLine(buf, pos, nl) });
        pos = nl + 1;
      }
      if (pos === 0 && filled === buf.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      } else if (pos > 0) {
        buf.copy(buf, 0, pos, filled);
        base += pos;
        filled -= pos;
      }
    }
    return {
      size: base + filled,
      tail: filled > 0 ? { offset: base, length: filled, no: no + 1 } : null,
    };
  } finally {
    fs.closeSync(fd);
  }
}
