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
}

export function accessFile(workspace: string): AccessPersistence {
  const path = join(workspace, ACCESS_FILE);
  return {
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
  };
}
