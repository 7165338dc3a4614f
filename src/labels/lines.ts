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

/** Checks the checksum of bytes [start, end) (without the newline); null when the line is intact. */
export function checkLine(buf: Buffer, start: number, end: number): LineProblem | null {
  const s = end - SUFFIX_LENGTH;
  if (s <= start || buf[end - 1] !== BRACE || buf[end - 2] !== QUOTE) return "format";
  for (let i = 0; i < SUFFIX_HEAD.length; i++) {
    if (buf[s + i] !== SUFFIX_HEAD[i]) return "format";
  }
  let want = 0;
  for (let i = s + 8; i < s + 16; i++) {
    const c = buf[i];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return "format";
    want = want * 16 + d;
  }
  return Bun.hash.crc32(buf.subarray(start, s)) === want ? null : "checksum";
}

/** Parses an intact line (see checkLine). */
export function parseLine(buf: Buffer, start: number, end: number): Decoded {
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

/** Decodes bytes [start, end) (without the newline). */
export function decodeLine(buf: Buffer, start: number, end: number): Decoded {
  const problem = checkLine(buf, start, end);
  return problem ? { ok: false, problem } : parseLine(buf, start, end);
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
 * Reads a file line by line in bounded chunks and hands each line's bytes
 * [start, end) (newline excluded) to `visit` in order; `buf` is only valid
 * during the call. A final line without a newline is reported as `tail`, not visited.
 */
export function scanRawLines(
  path: string,
  visit: (buf: Buffer, start: number, end: number, no: number, offset: number) => void,
): ScanResult {
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
        visit(buf, pos, nl, no, base + pos);
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

/** scanRawLines with each line decoded (checked and parsed). */
export function scanLines(path: string, visit: (line: RawLine) => void): ScanResult {
  return scanRawLines(path, (buf, start, end, no, offset) =>
    visit({ no, offset, next: offset + (end - start) + 1, decoded: decodeLine(buf, start, end) }),
  );
}

/**
 * Reads the lines starting at the given byte offsets (ascending), reading the
 * file in large windows, and hands each line's bytes to `visit`.
 */
export function readLinesAt(
  path: string,
  offsets: number[],
  visit: (offset: number, buf: Buffer, start: number, end: number) => void,
): void {
  if (offsets.length === 0) return;
  const fd = fs.openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let base = -1;
    let filled = 0;
    for (const offset of offsets) {
      let nl = -1;
      for (;;) {
        if (base >= 0 && offset >= base && offset < base + filled) {
          nl = buf.subarray(0, filled).indexOf(NEWLINE, offset - base);
          if (nl !== -1) break;
          if (base === offset && filled < buf.length) return; // no newline before EOF: not a line
          if (base === offset) buf = Buffer.allocUnsafe(buf.length * 2); // a line longer than the window
        }
        base = offset;
        filled = fs.readSync(fd, buf, 0, buf.length, offset);
        if (filled === 0) return;
      }
      visit(offset, buf, offset - base, nl);
    }
  } finally {
    fs.closeSync(fd);
  }
}
