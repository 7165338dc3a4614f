/**
 * `access.key` in the workspace (mode 0600): how the command line reaches the
 * Lenslet serving this workspace — its URL and an owner-role API key made at
 * every start. Whoever can read the workspace can already read every label;
 * the key gives no more than that person has. Removed at stop.
 */
import fs from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileDurably } from "../core/durable-file.ts";

export const LOCAL_KEY_FILE = "access.key";

const LocalKey = z.object({ url: z.string().url(), key: z.string() });
export type LocalKey = z.infer<typeof LocalKey>;

export function writeLocalKey(workspace: string, value: LocalKey): void {
  writeFileDurably(join(workspace, LOCAL_KEY_FILE), `${JSON.stringify(value)}\n`, 0o600);
}

export function readLocalKey(workspace: string): LocalKey | null {
  try {
    const parsed = LocalKey.safeParse(
      JSON.parse(fs.readFileSync(join(workspace, LOCAL_KEY_FILE), "utf8")),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function removeLocalKey(workspace: string): void {
  fs.rmSync(join(workspace, LOCAL_KEY_FILE), { force: true });
}
