/**
 * The one way image bytes are read: open the file, then prove on the opened
 * descriptor (not on the name, which a swapped symlink can repoint at any
 * moment) that it is a regular file inside the real gallery root, and read
 * only through that descriptor. The index checks links when it walks; this
 * check holds at the moment of every read, for originals, thumbnails and
 * dimensions alike.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  read,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import type { Logger } from "../core/logger.ts";

/** What the gallery's folder reader knows about its root (FolderReader satisfies it). */
export interface RootRules {
  /** The root with every symlink resolved. */
  readonly realRoot: string;
  /** True for a root-relative path the index never lists (hidden entries, the workspace). */
  ignores(relative: string): boolean;
}

export type OpenResult =
  | { kind: "ok"; file: RootFile }
  /** Not there (or unreadable) any more. */
  | { kind: "missing"; reason: string }
  /** There, but not a regular file inside the root: never read, answered like a missing item. */
  | { kind: "refused"; reason: string };

export interface RootFilesOptions {
  log?: Pick<Logger, "warn">;
  /**
   * Resolve the descriptor through `/proc/self/fd` (Linux); false forces the portable check
   * (realpath of the name, then the same device and inode as the descriptor). Default: try /proc.
   */
  viaProc?: boolean;
}

// O_NONBLOCK: a FIFO swapped in must not hang the open (regular files ignore the flag).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);
/** Refusals are logged once per file; past this many the memory of them starts over. */
const MAX_REMEMBERED_REFUSALS = 1000;

export class RootFiles {
  readonly realRoot: string;
  private readonly prefix: string;
  private readonly rules: RootRules;
  private readonly log?: Pick<Logger, "warn">;
  private viaProc: boolean;
  private readonly warned = new Set<string>();

  constructor(rules: RootRules, opts: RootFilesOptions = {}) {
    this.rules = rules;
    this.realRoot = rules.realRoot;
    // Component-wise containment: `/root-evil` does not start with `/root/`.
    this.prefix = this.realRoot === "/" ? "/" : `${this.realRoot}/`;
    this.log = opts.log;
    this.viaProc = opts.viaProc ?? process.platform === "linux";
  }

  /** Opens `fsPath` for reading if, as opened, it is a regular file inside the root. */
  open(fsPath: string): OpenResult {
    let fd: number;
    try {
      fd = openSync(fsPath, OPEN_FLAGS);
    } catch (err) {
      return { kind: "missing", reason: (err as NodeJS.ErrnoException).code ?? "open failed" };
    }
    let ok = false;
    try {
      const st = fstatSync(fd);
      const real = this.resolve(fd, fsPath, st);
      let refusal: string | null = null;
      if (real === null) refusal = "its location cannot be proven";
      else if (real !== this.realRoot && !real.startsWith(this.prefix))
        refusal = "it resolves outside the gallery root";
      else if (this.rules.ignores(real.slice(this.prefix.length)))
        refusal = "it resolves to a hidden file or the workspace";
      else if (!st.isFile()) refusal = "it is not a regular file";
      if (refusal) {
        this.warnOnce(fsPath, refusal);
        return { kind: "refused", reason: refusal };
      }
      ok = true;
      return { kind: "ok", file: new RootFile(fd, st.size, Math.trunc(st.mtimeMs)) };
    } catch (err) {
      return { kind: "missing", reason: (err as Error).message };
    } finally {
      if (!ok) closeSync(fd);
    }
  }

  /** The real path of what the descriptor is, or null when it cannot be told. */
  private resolve(fd: number, fsPath: string, st: { dev: number; ino: number }): string | null {
    if (this.viaProc) {
      try {
        // The kernel's own name for the open file: no second lookup by name, so no race.
        const link = readlinkSync(`/proc/self/fd/${fd}`);
        if (link.startsWith("/")) return link;
      } catch {
        // No /proc (a container without it): the portable check from now on.
        this.viaProc = false;
      }
    }
    try {
      const real = realpathSync(fsPath);
      const now = statSync(real);
      // The name may have been repointed since the open: it must still name this very file.
      return now.dev === st.dev && now.ino === st.ino ? real : null;
    } catch {
      return null;
    }
  }

  private warnOnce(fsPath: string, reason: string): void {
    if (this.warned.has(fsPath)) return;
    if (this.warned.size >= MAX_REMEMBERED_REFUSALS) this.warned.clear();
    this.warned.add(fsPath);
    this.log?.warn(`not serving ${fsPath}: ${reason} (was it swapped for a symlink?)`);
  }
}

/** An open, checked file. Every read goes through its descriptor; close it when done. */
export class RootFile {
  private closed = false;

  constructor(
    readonly fd: number,
    /** Size and mtime of the opened file (fstat), for validators and ranges. */
    readonly size: number,
    readonly mtimeMs: number,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Bytes [start, end) (fewer if the file is shorter now). */
  async read(start = 0, end = this.size): Promise<Buffer<ArrayBuffer>> {
    // Not from the shared pool: the bytes may become a response body of their own.
    const buf = Buffer.allocUnsafeSlow(Math.max(0, end - start));
    let at = 0;
    while (at < buf.length) {
      const n = await readAt(this.fd, buf, at, buf.length - at, start + at);
      if (n === 0) break;
      at += n;
    }
    return at === buf.length ? buf : buf.subarray(0, at);
  }

  /**
   * Bytes [start, end) read at once, blocking: for small reads, where a trip through the
   * thread pool costs more than the read (half the throughput for a 40 KB original).
   */
  readNow(start = 0, end = this.size): Buffer<ArrayBuffer> {
    const buf = Buffer.allocUnsafeSlow(Math.max(0, end - start));
    let at = 0;
    while (at < buf.length) {
      const n = readSync(this.fd, buf, at, buf.length - at, start + at);
      if (n === 0) break;
      at += n;
    }
    return at === buf.length ? buf : buf.subarray(0, at);
  }

  /**
   * Bytes [start, end) as a stream that closes the file when it ends, fails or is
   * cancelled (the client went away), so no descriptor outlives its response.
   */
  stream(start: number, end: number, chunk = 256 * 1024): ReadableStream<Uint8Array> {
    let pos = start;
    let reading: Promise<Buffer<ArrayBuffer>> | null = null;
    return new ReadableStream<Uint8Array>({
      type: "bytes",
      pull: async (ctrl) => {
        try {
          const want = Math.min(chunk, end - pos);
          reading =
            want > 0 ? this.read(pos, pos + want) : Promise.resolve(Buffer.allocUnsafeSlow(0));
          const buf = await reading;
          reading = null;
          // Read the length first: enqueueing a byte chunk detaches its buffer.
          const got = buf.length;
          pos += got;
          if (got > 0) ctrl.enqueue(new Uint8Array(buf.buffer, buf.byteOffset, got));
          // A file cut short ends the body early rather than waiting for bytes that never come.
          if (got < want || pos >= end) {
            this.close();
            ctrl.close();
          }
        } catch (err) {
          this.close();
          // Also lands here when the client went away mid-read: then there is nobody to tell.
          try {
            ctrl.error(err);
          } catch {}
        }
      },
      cancel: () => {
        // Never close under a read still in flight: its descriptor number could be reused meanwhile.
        if (reading) void reading.finally(() => this.close()).catch(() => {});
        else this.close();
      },
    });
  }
}

function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number) {
  return new Promise<number>((resolve, reject) => {
    read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}
