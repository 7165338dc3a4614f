/**
 * The few disk operations the label files need, behind one interface so tests
 * (and a running server, for UI tests) can make append or fsync fail like a
 * full or broken disk. With no faults configured the real functions are used
 * directly: nothing is checked on the hot path.
 */
import fs from "node:fs";

export interface DiskIo {
  /** Writes all of `data` at the end of an O_APPEND fd, or throws (bytes may be partly written). */
  append(fd: number, data: Uint8Array): void;
  fsync(fd: number): Promise<void>;
  truncate(fd: number, length: number): void;
}

export const realIo: DiskIo = {
  append(fd, data) {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
  },
  fsync(fd) {
    return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  },
  truncate(fd, length) {
    fs.ftruncateSync(fd, length);
  },
};

/**
 * realIo with appends through a Bun FileSink (`Bun.file(fd).writer()`) on the
 * O_APPEND descriptor, flushed at once (FileSink has no fsync: fsync stays
 * fs.fsync). Measured against realIo's writeSync in bench/labels.ts.
 */
export function fileSinkIo(): DiskIo {
  const sinks = new Map<number, ReturnType<ReturnType<typeof Bun.file>["writer"]>>();
  return {
    append(fd, data) {
      let sink = sinks.get(fd);
      if (!sink) {
        sink = Bun.file(fd).writer({ highWaterMark: 1 << 20 });
        sinks.set(fd, sink);
      }
      sink.write(data);
      const r = sink.flush();
      if (r instanceof Promise) throw new Error("FileSink flush did not complete synchronously");
    },
    fsync: realIo.fsync,
    truncate: realIo.truncate,
  };
}

export type FaultOp = "append" | "fsync" | "snapshot";

/** Which operations fail right now, and with which errno code. */
export interface FaultSource {
  check(op: FaultOp): string | null;
}

/** A switch flipped by tests. */
export class FaultSwitch implements FaultSource {
  private readonly active = new Map<FaultOp, string>();
  fail(op: FaultOp, code = "EIO"): void {
    this.active.set(op, code);
  }
  clear(op?: FaultOp): void {
    if (op) this.active.delete(op);
    else this.active.clear();
  }
  check(op: FaultOp): string | null {
    return this.active.get(op) ?? null;
  }
}

/**
 * Faults of a running server, for end-to-end tests:
 * `LENSLET_FAULTS=fsync` (or `append`, `append,fsync`, `fsync:ENOSPC`) is read once;
 * `LENSLET_FAULTS_FILE=/path` is re-read on each disk operation, so a test can
 * break and heal the "disk" while the server runs (an absent file means no faults).
 * Returns null when neither is set.
 */
export function faultsFromEnv(
  env: Record<string, string | undefined> = process.env,
): FaultSource | null {
  const fixed = parseFaultList(env.LENSLET_FAULTS ?? "");
  const file = env.LENSLET_FAULTS_FILE;
  if (fixed.size === 0 && !file) return null;
  return {
    check(op) {
      const hit = fixed.get(op);
      if (hit) return hit;
      if (!file) return null;
      let text = "";
      try {
        text = fs.readFileSync(file, "utf8");
      } catch {
        return null;
      }
      return parseFaultList(text).get(op) ?? null;
    },
  };
}

function parseFaultList(text: string): Map<FaultOp, string> {
  const out = new Map<FaultOp, string>();
  for (const item of text.split(/[\s,]+/)) {
    const [op, code] = item.split(":");
    if (op === "append" || op === "fsync" || op === "snapshot") out.set(op, code || "EIO");
  }
  return out;
}

export function injectedError(op: FaultOp, code: string): Error {
  return Object.assign(new Error(`${code}: injected ${op} failure`), { code });
}

/** Wraps `io` so each operation first asks `faults` whether it should fail. */
export function faultyIo(io: DiskIo, faults: FaultSource): DiskIo {
  return {
    append(fd, data) {
      const code = faults.check("append");
      if (code) {
        // A real ENOSPC often lands after part of the data: leave a partial line behind.
        io.append(fd, data.subarray(0, Math.floor(data.length / 2)));
        throw injectedError("append", code);
      }
      io.append(fd, data);
    },
    async fsync(fd) {
      const code = faults.check("fsync");
      if (code) throw injectedError("fsync", code);
      await io.fsync(fd);
    },
    truncate(fd, length) {
      // Truncation is how we undo a failed append; it fails while writes fail.
      const code = faults.check("append");
      if (code) throw injectedError("append", code);
      io.truncate(fd, length);
    },
  };
}
