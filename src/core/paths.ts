/**
 * The one canonical item path. Every key, URL, event payload and file name
 * derived from an item goes through `canonicalPath`, so `a/b.jpg`,
 * `/a/b.jpg`, `/a//b.jpg` and `a\b.jpg` all name one record.
 *
 * Canonical form: leading `/`, forward slashes, no trailing slash, no empty,
 * `.` or `..` segments, Unicode NFC. The root folder is `/`.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";

export class PathError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid path ${JSON.stringify(input.slice(0, 200))}: ${reason}`);
    this.name = "PathError";
  }
}

export const MAX_PATH_LENGTH = 4096;

/** Normalises a user- or file-system-supplied path; throws PathError if it could leave the root. */
export function canonicalPath(input: string): string {
  if (input.length > MAX_PATH_LENGTH) throw new PathError(input, "too long");
  if (input.includes("\0")) throw new PathError(input, "contains NUL");
  const segments: string[] = [];
  for (const raw of input.normalize("NFC").replaceAll("\\", "/").split("/")) {
    const seg = raw.trim() === "" ? "" : raw;
    if (seg === "" || seg === ".") continue;
    if (seg === "..") throw new PathError(input, "contains '..'");
    segments.push(seg);
  }
  return `/${segments.join("/")}`;
}

/**
 * Why a directory entry's name cannot be one segment of a canonical path (canonicalPath would
 * drop it or split it, so it would share a path with something else), or null when it can.
 * `canonicalChild` is the one caller; a property test holds it to canonicalPath.
 */
function segmentProblem(nfcName: string): string | null {
  const c = nfcName.charCodeAt(0);
  // A visible ASCII first character cannot start an all-space name: skip the trim then.
  if (!(c > 0x20 && c < 0x7f) && nfcName.trim() === "")
    return "name is only spaces (no canonical path of its own)";
  if (nfcName.includes("\\") || nfcName.includes("/"))
    return "name contains a slash or backslash (no canonical path of its own)";
  if (nfcName === "." || nfcName === "..") return "name is a relative segment";
  if (nfcName.includes("\0")) return "name contains NUL";
  return null;
}

/**
 * The canonical path of the entry `name` (as read from disk) in the canonical folder `folder`,
 * or why it has none of its own. Two names may still share one path (Unicode spellings):
 * the caller decides between them.
 */
export function canonicalChild(
  folder: string,
  name: string,
): { path: string; name: string; ascii: boolean; problem: string | null } {
  const c = canonicalChildName(folder, name);
  return { path: childPath(folder, c.name), ...c };
}

/** canonicalChild without building the path (the walk keeps names only). */
export function canonicalChildName(
  folder: string,
  name: string,
): { name: string; ascii: boolean; problem: string | null } {
  // ASCII names are their own NFC form: skip the normalisation on the walk's hot path.
  const ascii = ASCII_NAME.test(name);
  const nfc = ascii ? name : name.normalize("NFC");
  const length = (folder === "/" ? 0 : folder.length) + 1 + nfc.length;
  const problem = segmentProblem(nfc) ?? (length > MAX_PATH_LENGTH ? "path is too long" : null);
  return { name: nfc, ascii, problem };
}

const ASCII_NAME = /^[\x20-\x7e]*$/;

/** Like canonicalPath but returns null instead of throwing. */
export function tryCanonicalPath(input: string): string | null {
  try {
    return canonicalPath(input);
  } catch {
    return null;
  }
}

/** `/a/b/c.jpg` → `/a/b`; `/x.jpg` → `/`; `/` → `/`. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Last segment: `/a/b.jpg` → `b.jpg`; `/` → ``. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Joins a canonical folder and a single child name. */
export function childPath(folder: string, name: string): string {
  return folder === "/" ? `/${name}` : `${folder}/${name}`;
}

/** True when `path` is `folder` itself or lies below it. */
export function isWithin(path: string, folder: string): boolean {
  return folder === "/" || path === folder || path.startsWith(`${folder}/`);
}

/** Ancestors from the root down, excluding the path itself: `/a/b/c` → [`/`, `/a`, `/a/b`]. */
export function ancestorsOf(path: string): string[] {
  const out = ["/"];
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join("/")}`);
  return path === "/" ? [] : out;
}

/** Maps a canonical path to an absolute file-system path that is guaranteed to be inside `root`. */
export function toFsPath(root: string, canonical: string): string {
  const abs = resolve(root, `.${canonical}`);
  const rel = relative(root, abs);
  if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) {
    throw new PathError(canonical, "leaves the root");
  }
  return abs;
}
