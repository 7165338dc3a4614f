/** @jsxImportSource hono/jsx */
import type { Color, Flag } from "../src/labels/schema.ts";
import { CullButtons } from "./CullButtons.tsx";
import { formatCount, plural, refusedTitle, starsName, starText } from "./format.ts";
import { StarButtons } from "./Inspector.tsx";

/** What a multi-selection holds now: how many of each rating, each tag, the notes. */
export interface BulkModel {
  count: number;
  /** [star or null (unrated), how many], most first. */
  stars: [number | null, number][];
  /** [flag or null (unflagged), how many], most first. */
  flags: [Flag | null, number][];
  /** [colour or null (none), how many], most first. */
  colors: [Color | null, number][];
  /** Tags on any selected image, with how many carry each, most first. */
  tags: { tag: string; count: number }[];
  /** The notes when every image has the same; null when they differ. */
  notes: string | null;
  /** How many different notes there are (1 when all agree). */
  distinctNotes: number;
}

const flagName = (f: Flag | null) =>
  f === "pick" ? "picked" : f === "reject" ? "rejected" : "unflagged";
const colorName = (c: Color | null) => c ?? "no colour";

/** "Mixed: 2 × picked · 1 × unflagged", or `all` when every image agrees. */
function agreement<T>(counts: [T, number][], name: (v: T) => string, all: string): string {
  if (counts.length <= 1) return all;
  return `Mixed: ${counts.map(([v, n]) => `${formatCount(n)} × ${name(v)}`).join(" · ")}`;
}

/**
 * The inspector of several selected images (POST /inspector/many; the page renders it empty and hidden):
 * their current values, mixed ones shown as mixed, and edits that go to all of them.
 */
export function BulkInspector({ m, readOnly }: { m: BulkModel | null; readOnly?: string | null }) {
  if (!m) return <section id="bulk-inspector" class="bulk" aria-label="Selection" hidden />;
  const single = m.stars.length === 1 ? m.stars[0]![0] : undefined;
  // Buttons show a state only when every image has it: pressing it then clears it for all.
  const flag = m.flags.length === 1 ? m.flags[0]![0] : null;
  const color = m.colors.length === 1 ? m.colors[0]![0] : null;
  return (
    <section id="bulk-inspector" class="bulk" aria-label="Selection" data-count={String(m.count)}>
      <h2>{formatCount(m.count)} selected</h2>
      {m.count >= 2 && m.count <= 4 && (
        <button type="button" class="compare-open" data-compare-open="1" title="Side by side (C)">
          Compare {m.count}
        </button>
      )}
      <div class="field" data-field="star">
        <span class="label">Stars</span>
        <StarButtons star={single ?? null} label="Stars for the selection" readOnly={readOnly} />
        <p class="bulk-stars muted">
          {single !== undefined
            ? `All ${starsName(single).toLowerCase()}`
            : `Mixed: ${m.stars.map(([s, n]) => `${formatCount(n)} × ${s ? starText(s) : "unrated"}`).join(" · ")}`}
        </p>
      </div>
      <div class="field" data-field="cull">
        <span class="label">Flag · colour</span>
        <CullButtons flag={flag} color={color} readOnly={readOnly} />
        <p class="bulk-flags muted">
          {agreement(m.flags, flagName, flag ? `All ${flagName(flag)}` : "None flagged")};{" "}
          {agreement(m.colors, colorName, color ? `all ${color}` : "none coloured")}
        </p>
      </div>
      <div class="field" data-field="tags">
        <span class="label">Tags</span>
        {m.tags.length === 0 ? (
          <p class="muted">No tags</p>
        ) : (
          <ul class="tag-list bulk-tags">
            {m.tags.map((t) => (
              <li class="chip" data-tag={t.tag}>
                <span>{t.tag}</span>
                <span
                  class="tag-count"
                  title={`on ${plural(t.count, "image")} of ${formatCount(m.count)}`}
                >
                  {t.count === m.count ? "all" : `${formatCount(t.count)}/${formatCount(m.count)}`}
                </span>
                <button
                  type="button"
                  data-action="bulk-remove-tag"
                  data-tag={t.tag}
                  disabled={!!readOnly}
                  aria-label={`Remove tag ${t.tag} from all`}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <input
          class="bulk-tag-input"
          disabled={!!readOnly}
          title={refusedTitle(readOnly)}
          type="text"
          placeholder="Add tag to all, Enter"
          aria-label="Add tag to selection"
          maxlength={128}
        />
      </div>
      <div class="field" data-field="notes">
        <label class="label" for="bulk-notes">
          Notes for all
        </label>
        <textarea
          id="bulk-notes"
          class="bulk-notes"
          rows={4}
          maxlength={20000}
          data-base={m.notes ?? ""}
          placeholder={
            m.notes === null
              ? `${formatCount(m.distinctNotes)} different notes: what you save here replaces them all`
              : "No notes"
          }
          disabled={!!readOnly}
          title={refusedTitle(readOnly)}
        >
          {m.notes ?? ""}
        </textarea>
        <button type="button" data-action="bulk-notes-save" disabled={!!readOnly}>
          Save notes for all {formatCount(m.count)}
        </button>
      </div>
    </section>
  );
}
