/** @jsxImportSource hono/jsx */
/**
 * The Bursts / Duplicates region (spec M5): every group of the folder as a row of thumbnails with
 * its count and "Open in compare", in a modal overlay (public/groups.js). While images are still
 * to be hashed it says how many, and public/groups.js asks again until none are.
 */
import type { HashJobHealth } from "../src/media/phash.ts";

export interface GroupCard {
  paths: string[];
  count: number;
  thumbs: { path: string; name: string; url: string }[];
}

const TITLES = { burst: "Bursts", duplicate: "Duplicates" } as const;

export function Groups(p: {
  kind: "burst" | "duplicate";
  folder: string;
  recursive: boolean;
  groups: GroupCard[];
  total: number;
  pending: number;
  hashing: HashJobHealth | null;
  threshold: number;
}) {
  const rule =
    p.kind === "burst"
      ? `frames of one camera at most ${p.threshold / 1000} s apart`
      : `perceptual hashes within ${p.threshold} bits`;
  return (
    <div
      id="groups"
      class="groups"
      role="dialog"
      aria-modal="true"
      aria-labelledby="groups-title"
      data-kind={p.kind}
      data-folder={p.folder}
      data-recursive={p.recursive ? "1" : "0"}
      data-pending={String(p.pending)}
    >
      <div class="groups-bar">
        <h2 id="groups-title">{TITLES[p.kind]}</h2>
        <nav class="groups-kinds" aria-label="Group by">
          {(["burst", "duplicate"] as const).map((k) => (
            <button
              type="button"
              data-groups-kind={k}
              aria-pressed={k === p.kind ? "true" : "false"}
            >
              {TITLES[k]}
            </button>
          ))}
        </nav>
        <span class="muted">
          {p.total} group{p.total === 1 ? "" : "s"} in {p.folder} · {rule}
        </span>
        <button type="button" class="groups-close" data-groups="close" aria-label="Close (Esc)">
          ✕
        </button>
      </div>
      {p.pending > 0 && (
        <p class="groups-progress" role="status" aria-live="polite">
          {p.hashing
            ? `Hashing… ${p.hashing.hashed} of ${p.hashing.total} images hashed; ${p.pending} here still to do.`
            : `${p.pending} images have no capture time yet.`}
          {p.hashing && <progress max={String(p.hashing.total)} value={String(p.hashing.hashed)} />}
        </p>
      )}
      <div class="groups-list">
        {p.groups.length === 0 && (
          <p class="muted groups-empty">
            {p.pending > 0 ? "No groups yet." : `No ${TITLES[p.kind].toLowerCase()} here.`}
          </p>
        )}
        {p.groups.map((g) => (
          <section class="group" data-paths={JSON.stringify(g.paths)} data-count={String(g.count)}>
            <header class="group-head">
              <span class="group-count">{g.count} images</span>
              <button
                type="button"
                data-groups="compare"
                title={g.count > 4 ? "Compare the first 4 of this group" : "Compare this group (C)"}
              >
                Open in compare
              </button>
            </header>
            <div class="group-thumbs">
              {g.thumbs.map((t) => (
                <img src={t.url} alt={t.name} title={t.path} loading="lazy" />
              ))}
              {g.count > g.thumbs.length && (
                <span class="group-more">+{g.count - g.thumbs.length}</span>
              )}
            </div>
          </section>
        ))}
        {p.total > p.groups.length && (
          <p class="muted">{p.total - p.groups.length} more groups not shown.</p>
        )}
      </div>
    </div>
  );
}

/** The toolbar's way in (public/groups.js opens the region). */
export function GroupButtons() {
  return (
    <fieldset class="control group-buttons" aria-label="Groups">
      <button type="button" data-groups-open="burst" title="Frames shot within seconds">
        Bursts
      </button>
      <button type="button" data-groups-open="duplicate" title="Near-identical images">
        Duplicates
      </button>
    </fieldset>
  );
}
