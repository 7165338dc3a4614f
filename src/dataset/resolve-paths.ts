/**
 * Table rows → image files, by the root rules folders have (D2): a row names a
 * file relative to the base folder (or an absolute path inside it); the path
 * goes through canonicalPath (no `..`, no NUL), hidden entries and the
 * workspace are skipped, a URL or a path outside the base is refused, and a
 * file reached through a symlink must really lie inside the base. So no
 * fsPath this produces is ever outside the base. Refused rows are counted by
 * reason; a row whose file does not exist is kept and counted as missing (D3).
 */
import { type Dirent, readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { baseName, canonicalPath, PathError, parentOf, toFsPath } from "../core/paths.ts";

export type SkipReason =
  | "empty"
  | "url"
  | "outside_base"
  | "invalid_path"
  | "hidden"
  | "workspace"
  | "duplicate"
  | "symlink_outside_base";

export interface ResolvedRow {
  /** Row of the table. */
  row: number;
  /** Canonical path in the gallery. */
  path: string;
  /** Inside the base, always. */
  fsPath: string;
  missing: boolean;
}

export interface Resolution {
  /** Real path of the base folder: the gallery's root. */
  root: string;
  rows: ResolvedRow[];
  missing: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** The first few refused rows, for the log. */
  examples: { row: number; value: string; reason: SkipReason }[];
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/|^(data|file|blob|javascript|mailto):/i;
const WINDOWS_ABSOLUTE = /^[a-z]:[\\/]/i;

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function safeRealpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

export interface ResolveOptions {
  baseDir: string;
  /** Absolute folders whose files are never served (the workspace). */
  exclude?: string[];
}

export function resolvePaths(values: ArrayLike<unknown>, opts: ResolveOptions): Resolution {
  const base = resolve(opts.baseDir);
  const root = realpathSync(base);
  const exclude = (opts.exclude ?? []).map((p) => safeRealpath(p) ?? resolve(p));
  const out: Resolution = { root, rows: [], missing: 0, skipped: {}, examples: [] };
  const skip = (row: number, value: unknown, reason: SkipReason) => {
    out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
    if (out.examples.length < 5)
      out.examples.push({ row, value: String(value).slice(0, 200), reason });
  };
  const seen = new Set<string>();
  const all: ResolvedRow[] = [];
  const byFolder = new Map<string, ResolvedRow[]>();

  for (let row = 0; row < values.length; row++) {
    const v = values[row];
    if (typeof v !== "string" || v.trim() === "") {
      skip(
        row,
        v,
        v === null || v === undefined || typeof v === "string" ? "empty" : "invalid_path",
      );
      continue;
    }
    if (URL_LIKE.test(v)) {
      skip(row, v, "url");
      continue;
    }
    let path: string;
    try {
      if (v.startsWith("/") || WINDOWS_ABSOLUTE.test(v)) {
        // Absolute: only inside the base (as given or as its real path), then relative to it.
        const abs = canonicalPath(v);
        const within = [base, root].find((b) => inside(b, abs));
        if (WINDOWS_ABSOLUTE.test(v) || within === undefined) {
          skip(row, v, "outside_base");
          continue;
        }
        path = canonicalPath(relative(within, abs));
      } else path = canonicalPath(v);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      skip(row, v, "invalid_path");
      continue;
    }
    if (path === "/") {
      skip(row, v, "invalid_path");
      continue;
    }
    // Canonical paths start with "/", so a segment starting with "." shows as "/.".
    if (path.includes("/.")) {
      skip(row, v, "hidden");
      continue;
    }
    // A canonical path has no `.`/`..` segments, so the root plus it stays inside the root
    // (toFsPath's check, without a resolve() per row).
    const fsPath = root === "/" ? path : `${root}${path}`;
    if (exclude.length > 0 && exclude.some((ex) => inside(ex, fsPath))) {
      skip(row, v, "workspace");
      continue;
    }
    if (seen.has(path)) {
      skip(row, v, "duplicate");
      continue;
    }
    seen.add(path);
    const r: ResolvedRow = { row, path, fsPath, missing: false };
    all.push(r);
    const folder = parentOf(path);
    let list = byFolder.get(folder);
    if (!list) {
      list = [];
      byFolder.set(folder, list);
    }
    list.push(r);
  }

  // One realpath and one readdir per folder (not a stat per row): a folder reached through a
  // symlink out of the base refuses its rows; a name absent from the listing is a missing file.
  const refused = new Set<ResolvedRow>();
  for (const [folder, rows] of byFolder) {
    const fsFolder = toFsPath(root, folder);
    const real = safeRealpath(fsFolder);
    if (real !== null && !inside(root, real)) {
      for (const r of rows) {
        refused.add(r);
        skip(r.row, r.path, "symlink_outside_base");
      }
      continue;
    }
    let listing: Map<string, Dirent>;
    try {
      listing = new Map(
        readdirSync(fsFolder, { withFileTypes: true }).map((d) => [d.name.normalize("NFC"), d]),
      );
    } catch {
      listing = new Map();
    }
    for (const r of rows) {
      const d = listing.get(baseName(r.path));
      if (!d) {
        r.missing = true;
        continue;
      }
      // The name as it is on disk (it may differ from its NFC form).
      r.fsPath = `${fsFolder === "/" ? "" : fsFolder}/${d.name}`;
      if (d.isSymbolicLink()) {
        const target = safeRealpath(r.fsPath);
        if (target !== null && !inside(root, target)) {
          refused.add(r);
          skip(r.row, r.path, "symlink_outside_base");
          continue;
        }
        if (target === null || !isFile(target)) r.missing = true;
      } else if (!d.isFile()) r.missing = true;
    }
  }
  for (const r of all) {
    if (refused.has(r)) continue;
    if (r.missing) out.missing++;
    out.rows.push(r);
  }
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
