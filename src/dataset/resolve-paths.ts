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
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { naturalCompare } from "../core/natural-sort.ts";
import { baseName, canonicalPath, childPath, PathError, parentOf } from "../core/paths.ts";

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

/** The served rows of one folder, as columns (no object per row). */
export interface ResolvedFolder {
  /** Canonical folder path. */
  path: string;
  /** Inside the base, always (the root's real path plus the canonical path). */
  fsPath: string;
  /** Canonical file names. */
  names: string[];
  /** The name as it is on disk where it differs (Unicode spellings), else null. */
  raw: (string | null)[];
  rows: number[];
  missing: boolean[];
  /** The names are in natural order already (the index need not sort them). */
  sorted: boolean;
}

export interface Resolution {
  /** Real path of the base folder: the gallery's root. */
  root: string;
  /** Served rows by folder, in the order folders were first met. */
  folders: ResolvedFolder[];
  /** Rows served. */
  count: number;
  missing: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** The first few refused rows, for the log. */
  examples: { row: number; value: string; reason: SkipReason }[];
  /** Every served row as an object, in table order (tests, small tables: O(n) objects). */
  readonly rows: ResolvedRow[];
}

/**
 * A relative path that is already canonical but for its leading slash: visible ASCII, segments
 * not starting with a dot (so no `.`, `..` or hidden ones), no backslash, no colon (so no URL
 * or drive letter), no empty segment.
 * Most tables' paths look like this; they skip canonicalPath (a split, a normalize, a join).
 */
const SIMPLE_PATH = /^[!-\-0-9;-[\]-~][!-.0-9;-[\]-~]*(?:\/[!-\-0-9;-[\]-~][!-.0-9;-[\]-~]*)*$/;

/** The canonical path of a value on the fast path, or null when it needs the full rules. */
export function simpleCanonical(v: string): string | null {
  return v.length <= 4000 && SIMPLE_PATH.test(v) ? `/${v}` : null;
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
  const rootFs = root === "/" ? "" : root;
  const exclude = (opts.exclude ?? []).map((p) => safeRealpath(p) ?? resolve(p));
  const skipped: Resolution["skipped"] = {};
  const examples: Resolution["examples"] = [];
  const skip = (row: number, value: unknown, reason: SkipReason) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (examples.length < 5) examples.push({ row, value: String(value).slice(0, 200), reason });
  };
  interface Pending extends ResolvedFolder {
    /** The text before a fast-path row's last slash ("" for the root), or null. */
    prefix: string | null;
    /** In (or is) an excluded folder: every row refused as `workspace`. */
    excluded: boolean;
    /** Names of excluded folders directly inside this one (a row naming one is refused too). */
    excludedNames: Set<string>;
  }
  const byFolder = new Map<string, Pending>();
  /**
   * The same folders by a hash of the text before a fast-path row's last slash, checked with
   * startsWith: no substring is made (and hashed) per row to find its folder.
   */
  const byPrefix = new Map<number, Pending[]>();
  const prefixOf = (v: string, end: number): Pending => {
    let h = 2166136261;
    for (let k = 0; k < end; k++) h = Math.imul(h ^ v.charCodeAt(k), 16777619);
    const list = byPrefix.get(h);
    if (list)
      for (const f of list) if (f.prefix!.length === end && v.startsWith(f.prefix!)) return f;
    const prefix = v.slice(0, end);
    const f = folderOf(end === 0 ? "/" : `/${prefix}`);
    f.prefix = prefix;
    if (list) list.push(f);
    else byPrefix.set(h, [f]);
    return f;
  };
  const folderOf = (path: string): Pending => {
    let f = byFolder.get(path);
    if (!f) {
      const fsPath = path === "/" ? root : `${rootFs}${path}`;
      const excludedNames = new Set<string>();
      for (const ex of exclude) if (dirname(ex) === fsPath) excludedNames.add(basename(ex));
      f = {
        path,
        fsPath,
        names: [],
        raw: [],
        rows: [],
        missing: [],
        sorted: true,
        prefix: null,
        excluded: exclude.some((ex) => inside(ex, fsPath)),
        excludedNames,
      };
      byFolder.set(path, f);
    }
    return f;
  };

  for (let row = 0; row < values.length; row++) {
    const v = values[row];
    if (typeof v !== "string" || v.length === 0 || (v.charCodeAt(0) <= 32 && v.trim() === "")) {
      skip(
        row,
        v,
        v === null || v === undefined || typeof v === "string" ? "empty" : "invalid_path",
      );
      continue;
    }
    let folder: string;
    let name: string;
    let f: Pending | undefined;
    if (v.length <= 4000 && SIMPLE_PATH.test(v)) {
      // Already canonical (see SIMPLE_PATH): the folder and name are slices of it.
      const i = v.lastIndexOf("/");
      name = i < 0 ? v : v.slice(i + 1);
      f = prefixOf(v, Math.max(i, 0));
      folder = f.path;
    } else {
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
      folder = parentOf(path);
      name = baseName(path);
    }
    // A canonical path has no `.`/`..` segments, so the root plus it stays inside the root
    // (toFsPath's check, without a resolve() per row).
    f ??= folderOf(folder);
    if (f.excluded || (f.excludedNames.size > 0 && f.excludedNames.has(name))) {
      skip(row, v, "workspace");
      continue;
    }
    f.names.push(name);
    f.raw.push(null);
    f.rows.push(row);
    f.missing.push(false);
  }

  // One realpath and one readdir per folder (not a stat per row): a folder reached through a
  // symlink out of the base refuses its rows; a name absent from the listing is a missing file.
  const folders: ResolvedFolder[] = [];
  let count = 0;
  let missing = 0;
  for (const f of byFolder.values()) {
    if (f.names.length === 0) continue;
    dropDuplicates(f, (row, value) => skip(row, value, "duplicate"));
    const real = safeRealpath(f.fsPath);
    if (real !== null && !inside(root, real)) {
      for (let k = 0; k < f.names.length; k++)
        skip(f.rows[k]!, childPath(f.path, f.names[k]!), "symlink_outside_base");
      continue;
    }
    let listing: Map<string, Dirent>;
    try {
      const entries = readdirSync(f.fsPath, { withFileTypes: true });
      listing = new Map();
      // Only a name outside ASCII can differ from its NFC form.
      for (const d of entries)
        listing.set(/^[\x20-\x7e]*$/.test(d.name) ? d.name : d.name.normalize("NFC"), d);
    } catch {
      listing = new Map();
    }
    // Refused rows are dropped in place: `w` is where the next kept row goes.
    let w = 0;
    const n = f.names.length;
    for (let k = 0; k < n; k++) {
      const name = f.names[k]!;
      const d = listing.get(name);
      let isMissing = false;
      let raw: string | null = null;
      if (!d) isMissing = true;
      else {
        // The name as it is on disk (it may differ from its NFC form).
        if (d.name !== name) raw = d.name;
        const fsPath = `${f.fsPath === "/" ? "" : f.fsPath}/${d.name}`;
        if (d.isSymbolicLink()) {
          const target = safeRealpath(fsPath);
          if (target !== null && !inside(root, target)) {
            skip(f.rows[k]!, childPath(f.path, name), "symlink_outside_base");
            continue;
          }
          if (target === null || !isFile(target)) isMissing = true;
        } else if (!d.isFile()) isMissing = true;
      }
      f.names[w] = name;
      f.raw[w] = raw;
      f.rows[w] = f.rows[k]!;
      f.missing[w] = isMissing;
      w++;
      if (isMissing) missing++;
    }
    f.names.length = w;
    f.raw.length = w;
    f.rows.length = w;
    f.missing.length = w;
    count += w;
    folders.push({
      path: f.path,
      fsPath: f.fsPath,
      names: f.names,
      raw: f.raw,
      rows: f.rows,
      missing: f.missing,
      sorted: f.sorted,
    });
  }
  return {
    root,
    folders,
    count,
    missing,
    skipped,
    examples,
    get rows(): ResolvedRow[] {
      const out: ResolvedRow[] = [];
      for (const f of folders)
        for (let k = 0; k < f.names.length; k++) {
          const fsFolder = f.fsPath === "/" ? "" : f.fsPath;
          out.push({
            row: f.rows[k]!,
            path: childPath(f.path, f.names[k]!),
            fsPath: `${fsFolder}/${f.raw[k] ?? f.names[k]!}`,
            missing: f.missing[k]!,
          });
        }
      return out.sort((a, b) => a.row - b.row);
    },
  };
}

/**
 * Keeps the first row of each name in a folder (table order), the later ones refused. Names
 * strictly rising in natural order (most tables list a folder's files in order) cannot repeat:
 * one comparison a row, which also tells the index it need not sort them; otherwise a set.
 */
function dropDuplicates(
  f: Pick<ResolvedFolder, "path" | "names" | "raw" | "rows" | "missing" | "sorted">,
  refuse: (row: number, value: string) => void,
): void {
  const names = f.names;
  let rising = true;
  for (let k = 1; k < names.length && rising; k++)
    rising = naturalCompare(names[k - 1]!, names[k]!) < 0;
  f.sorted = rising;
  if (rising) return;
  const seen = new Set<string>();
  let w = 0;
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (seen.has(name)) {
      refuse(f.rows[k]!, childPath(f.path, name));
      continue;
    }
    seen.add(name);
    names[w] = name;
    f.raw[w] = f.raw[k]!;
    f.rows[w] = f.rows[k]!;
    f.missing[w] = f.missing[k]!;
    w++;
  }
  names.length = w;
  f.raw.length = w;
  f.rows.length = w;
  f.missing.length = w;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
