/**
 * Bursts or near-duplicates of a folder (spec M3), for GET /groups (JSON) and GET /groups/view
 * (the page's Bursts / Duplicates region, M5): one computation, so both always agree.
 */
import type { Context } from "hono";
import { canonicalPath } from "../core/paths.ts";
import type { AppDeps } from "../deps.ts";
import { BURST_GAP_MS, bursts, DUPLICATE_MAX_DISTANCE, duplicates } from "../groups/groups.ts";
import { halves } from "../media/phash.ts";
import { jsonError, validationError } from "./errors.ts";
import { GroupsQuery, type GroupsResponse } from "./openapi/culling.ts";
import { queryObject } from "./query-params.ts";

/** The groups a request asks for (`kind`, `folder`, `recursive`), or the 400/404 answer that refuses it. */
export async function groupsFor(
  c: Context,
  deps: AppDeps,
): Promise<{ found: GroupsResponse; recursive: boolean } | Response> {
  const q = GroupsQuery.safeParse(queryObject(c));
  if (!q.success) return validationError(c, q.error);
  let folder: string;
  try {
    folder = canonicalPath(q.data.folder);
  } catch (err) {
    return jsonError(c, 400, "invalid_path", (err as Error).message, { field: "folder" });
  }
  if (!deps.gallery.folder(folder))
    return jsonError(c, 404, "not_found", `no folder ${folder}`, { field: "folder" });
  const found = await findGroups(deps, q.data.kind, folder, q.data.recursive);
  return { found, recursive: q.data.recursive };
}

/** Hashes come with thumbnails; the rest by the background job this starts, once (progress in /health.hashes). */
export function startHashing(deps: AppDeps): void {
  // A job that went through the whole listing leaves nothing to do until the listing changes: every
  // page of a stacked view asks, and listing 100,000 images to find that costs ~15 ms.
  const listingNow = () => `${deps.gallery.revision}:${deps.gallery.statsRevision}`;
  if (hashedListing.get(deps) === listingNow()) return;
  // After the stat pass: a hash is kept by size and mtime, so a listing without them would find
  // none and make every image's thumbnail again.
  void deps.gallery.statsReady.then(() => {
    const listing = listingNow();
    return deps.hashes
      .start(
        () => deps.gallery.list("/", true),
        async (img) => {
          const r = await deps.thumbs.get(deps.gallery.stat(img));
          return r.kind === "ok" ? r.bytes : null;
        },
      )
      .then(() => {
        if (!deps.hashes.health(0).running) hashedListing.set(deps, listing);
      });
  });
}
const hashedListing = new WeakMap<AppDeps, string>();

export async function findGroups(
  deps: AppDeps,
  kind: GroupsResponse["kind"],
  folder: string,
  recursive: boolean,
): Promise<GroupsResponse> {
  const images = deps.gallery.list(folder, recursive).map((i) => deps.gallery.stat(i));
  let pending = 0;
  let groups: string[][];
  if (kind === "burst") {
    // Capture times are read here if not yet known (lazily, cached).
    await deps.exif.fill(images);
    const frames = [];
    for (const img of images) {
      const f = deps.exif.peek(img);
      if (f?.taken_ms == null) continue;
      frames.push({ path: img.path, takenMs: f.taken_ms, camera: f.camera });
    }
    groups = bursts(frames);
  } else {
    startHashing(deps);
    const hashed = [];
    for (const img of images) {
      const h = deps.hashes.peek(img);
      if (!h) {
        pending++;
        continue;
      }
      const [hi, lo] = halves(h);
      hashed.push({ path: img.path, hi, lo });
    }
    groups = duplicates(hashed);
  }
  return {
    kind,
    folder,
    groups: groups.map((paths) => ({ paths, count: paths.length })),
    pending,
    threshold: kind === "burst" ? BURST_GAP_MS : DUPLICATE_MAX_DISTANCE,
  };
}
