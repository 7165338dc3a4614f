/**
 * access.json in the workspace: the whole access state, replaced atomically on
 * every change (it is small: a record per invite, session and token). Only
 * hashes of secrets are in it. A damaged file is refused with its name, never
 * silently replaced (that would log everyone out, or worse, forget a revocation).
 */
import fs from "node:fs";
import { join } from "node:path";
import { writeFileDurably } from "../core/durable-file.ts";
import { AccessState } from "./records.ts";

export const ACCESS_FILE = "access.json";

export class AccessFileError extends Error {
  override name = "AccessFileError";
}

export interface AccessPersistence {
  /** The saved state, or null when there is none yet. */
  load(): AccessState | null;
  save(state: AccessState): void;
  /**
   * What identifies the saved state now (changes with every save, by any
   * process): the store reloads when it differs from what it last read or wrote.
   * Several processes serving one workspace (`--redis`) share access.json so.
   */
  stamp?(): string | null;
  /** Runs `fn` holding the file's lock against other processes (read-change-write stays whole). */
  exclusive?<T>(fn: () => T): T;
}

/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 10_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `shared`: other processes save this file too (--redis), so the store checks its stamp on every credential
 * check; a workspace with one writer has no stamp to check (a stat per request was a fifth of a PATCH's cost).
 */
export function accessFile(workspace: string, opts: { shared?: boolean } = {}): AccessPersistence {
  const path = join(workspace, ACCESS_FILE);
  const persistence: AccessPersistence = {
    load() {
      let text: string;
      try {
        text = fs.readFileSync(path, "utf8");
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return null;
        throw new AccessFileError(`cannot read ${path}: ${(err as Error).message}`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new AccessFileError(
          `${path} is not valid JSON; fix it, or move it away and start with --reset-access (everyone then needs a new link)`,
        );
      }
      const parsed = AccessState.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AccessFileError(
          `${path}: ${issue?.path.join(".") || "file"}: ${issue?.message}; fix it, or start with --reset-access`,
        );
      }
      return parsed.data;
    },
    save(state) {
      writeFileDurably(path, `${JSON.stringify(state, null, 1)}\n`, 0o600);
    },
    stamp() {
      try {
        const st = fs.statSync(path, { bigint: true });
        return `${st.ino}:${st.size}:${st.mtimeNs}`;
      } catch {
        return null;
      }
    },
    exclusive(fn) {
      const lock = `${path}.lock`;
      const t0 = Date.now();
      for (;;) {
        try {
          fs.closeSync(fs.openSync(lock, "wx", 0o600));
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== "EEXIST") throw err;
          try {
            if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS)
              fs.rmSync(lock, { force: true });
          } catch {
            // Gone meanwhile: try again.
          }
          if (Date.now() - t0 > 2 * STALE_LOCK_MS)
            throw new AccessFileError(`cannot take ${lock}: another process keeps it`);
          sleepSync(2);
        }
      }
      try {
        return fn();
      } finally {
        fs.rmSync(lock, { force: true });
      }
    },
  };
  if (!opts.shared) delete persistence.stamp;
  return persistence;
}
