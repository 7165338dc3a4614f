/**
 * The groups stacks are made of (M6): bursts and near-duplicates of the folder shown, the same
 * computation as GET /groups (M3) over what is known now (capture times read, hashes made), as
 * one group id per gallery ordinal for the query engine (src/gallery/stacks.ts). Kept per
 * (kind, folder, recursive) until the listing or the facts change; while the hashing job runs,
 * at most one regrouping a second (each new hash would otherwise regroup 100,000 images).
 */
import type { AppDeps } from "../deps.ts";
import type { StackGroups, StackKind, StackSource } from "../gallery/stacks.ts";
import { bursts, duplicates } from "../groups/groups.ts";
import { halves } from "../media/phash.ts";

const REGROUP_WHILE_HASHING_MS = 1000;

interface Kept {
  listing: number;
  facts: number;
  at: number;
  groups: StackGroups;
}

export class StackGroupSource implements StackSource {
  private readonly kept = new Map<string, Kept>();
  private revision = 0;

  constructor(
    private readonly deps: Pick<AppDeps, "gallery" | "exif" | "hashes">,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKept = 8,
  ) {}

  groups(kind: StackKind, folder: string, recursive: boolean): StackGroups {
    const { gallery, exif, hashes } = this.deps;
    const key = `${kind}\u0000${folder}\u0000${recursive ? 1 : 0}`;
    const facts = kind === "bursts" ? exif.revision : hashes.revision;
    const hit = this.kept.get(key);
    if (hit && hit.listing === gallery.revision) {
      if (hit.facts === facts) return hit.groups;
      const hashing = kind === "duplicates" && hashes.health(0).running;
      if (hashing && this.now() - hit.at < REGROUP_WHILE_HASHING_MS) return hit.groups;
    }
    const groups = this.compute(kind, folder, recursive);
    this.kept.delete(key);
    this.kept.set(key, { listing: gallery.revision, facts, at: this.now(), groups });
    while (this.kept.size > this.maxKept) this.kept.delete(this.kept.keys().next().value!);
    return groups;
  }

  private compute(kind: StackKind, folder: string, recursive: boolean): StackGroups {
    const { gallery, exif, hashes } = this.deps;
    const images = gallery.list(folder, recursive);
    let found: string[][];
    if (kind === "bursts") {
      const frames = [];
      for (const img of images) {
        const f = exif.peek(gallery.stat(img));
        if (f?.taken_ms == null) continue;
        frames.push({ path: img.path, takenMs: f.taken_ms, camera: f.camera });
      }
      found = bursts(frames);
    } else {
      const hashed = [];
      for (const img of images) {
        const h = hashes.peek(gallery.stat(img));
        if (!h) continue;
        const [hi, lo] = halves(h);
        hashed.push({ path: img.path, hi, lo });
      }
      found = duplicates(hashed);
    }
    const groupOf = new Int32Array(gallery.imageCount).fill(-1);
    found.forEach((paths, g) => {
      for (const p of paths) {
        const o = gallery.ordinalOf(p);
        if (o >= 0) groupOf[o] = g;
      }
    });
    return { groupOf, count: found.length, revision: ++this.revision };
  }
}
