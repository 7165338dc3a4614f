/**
 * Where Lenslet keeps its state for one gallery (labels journal, snapshot,
 * thumbnail and dimension caches). Never inside the images themselves:
 * `DIR/.lenslet/` by default, `--workspace` to move it, a per-folder temp
 * folder when DIR is read-only or --no-write is set.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface Workspace {
  dir: string;
  /** Labels are journaled to `dir` when true; memory only when false. */
  canWrite: boolean;
  /** A sentence for the console and the UI when the workspace is not the default or not durable. */
  notice: string | null;
}

export function tempWorkspaceFor(root: string): string {
  return join(tmpdir(), `lenslet-${Bun.hash(resolve(root)).toString(36)}`);
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function resolveWorkspace(opts: {
  root: string;
  workspace?: string;
  noWrite: boolean;
}): Workspace {
  const root = resolve(opts.root);
  if (opts.noWrite) {
    const dir = tempWorkspaceFor(root);
    mkdirSync(dir, { recursive: true });
    return {
      dir,
      canWrite: false,
      notice: "Not saved to disk (--no-write): edits are lost when Lenslet stops.",
    };
  }
  const wanted = opts.workspace ? resolve(opts.workspace) : join(root, ".lenslet");
  if (writable(wanted)) return { dir: wanted, canWrite: true, notice: null };
  const fallback = tempWorkspaceFor(root);
  if (writable(fallback)) {
    return {
      dir: fallback,
      canWrite: true,
      notice: `${wanted} is not writable; labels are kept in ${fallback} instead.`,
    };
  }
  return {
    dir: fallback,
    canWrite: false,
    notice: "No writable workspace: edits are lost when Lenslet stops.",
  };
}
