/**
 * Where Lenslet keeps its state for one gallery (labels journal, snapshot,
 * thumbnail and dimension caches). Never inside the images themselves:
 * `DIR/.lenslet/` by default, `--workspace` to move it, a per-folder temp
 * folder when DIR is read-only or --no-write is set.
 */
import { accessSync, constants, lstatSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface Workspace {
  dir: string;
  /** Labels are journaled to `dir` when true; memory only when false. */
  canWrite: boolean;
  /** A sentence for the console and the UI when the workspace is not the default or not durable. */
  notice: string | null;
}

/** A workspace Lenslet must not use; the message is one line naming the folder, the problem and the way out. */
export class WorkspaceError extends Error {
  override name = "WorkspaceError";
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

/**
 * The temp workspace's name is predictable, so anyone could have made it first: it is created
 * private (0700), and one already there is used only when it is a real folder of ours that
 * nobody else can enter. Returns false when it cannot be created at all (a read-only /tmp);
 * throws WorkspaceError when it exists but cannot be trusted.
 */
function privateTempDir(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") return false;
  }
  // lstat: a symlink put in its place must not lead us elsewhere.
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch {
    return false;
  }
  const uid = process.getuid?.();
  let problem: string | null = null;
  if (st.isSymbolicLink()) problem = "it is a symlink";
  else if (!st.isDirectory()) problem = "it is not a folder";
  else if (uid !== undefined && st.uid !== uid)
    problem = `it belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  else if ((st.mode & 0o077) !== 0)
    problem = `other users can enter it (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}, needs 0700)`;
  if (problem) {
    throw new WorkspaceError(
      `${dir}: refusing this temp workspace because ${problem}; remove it, or pass --workspace DIR`,
    );
  }
  try {
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
    // Caches only; without it they stay in memory (the thumbnailer says so).
    privateTempDir(dir);
    return {
      dir,
      canWrite: false,
      notice: "Not saved to disk (--no-write): edits are lost when Lenslet stops.",
    };
  }
  const wanted = opts.workspace ? resolve(opts.workspace) : join(root, ".lenslet");
  if (writable(wanted)) return { dir: wanted, canWrite: true, notice: null };
  const fallback = tempWorkspaceFor(root);
  if (privateTempDir(fallback)) {
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
