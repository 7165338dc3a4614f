/** @jsxImportSource hono/jsx */
import type { Color, Flag } from "../src/labels/schema.ts";
import { relativeTime, starsName, starText } from "./format.ts";
import { wordDiff } from "./word-diff.ts";

export type ConflictField = "star" | "tags" | "notes" | "flag" | "color";

export interface ConflictModel {
  path: string;
  field: ConflictField;
  /** What this person wanted: the star (null clears), the tags, the notes text, the flag or the colour. */
  mine: {
    star?: number | null;
    tags?: string[];
    notes?: string;
    flag?: Flag | null;
    color?: Color | null;
  };
  /** The item as it is now. */
  theirs: {
    star: number | null;
    tags: string[];
    notes: string;
    flag: Flag | null;
    color: Color | null;
    version: number;
  };
  by: string | null;
  at: string | null;
}

const starsShown = (s: number | null) => `${starText(s)} (${starsName(s)})`;
const tagsShown = (t: string[] | undefined) => (t?.length ? t.join(", ") : "no tags");
const flagShown = (f: Flag | null | undefined) =>
  f === "pick" ? "⚑ Pick" : f === "reject" ? "✕ Reject" : "no flag";
const colorShown = (c: Color | null | undefined) =>
  c ? `${c[0]!.toUpperCase()}${c.slice(1)}` : "no colour";

/** One field's value as the box shows it. */
function shown(field: Exclude<ConflictField, "notes">, v: ConflictModel["mine"]): string {
  if (field === "star") return starsShown(v.star ?? null);
  if (field === "flag") return flagShown(v.flag);
  if (field === "color") return colorShown(v.color);
  return tagsShown(v.tags);
}

/**
 * The choice shown when someone else changed a field this person was changing: both versions side by side
 * (notes as a word diff, their text → yours), and the two ways out. POST /conflict renders it; the page
 * puts it in the field's conflict slot (public/inspector.js) and "Apply mine again" goes on `data-version`.
 */
export function ConflictBox({ c, now = Date.now() }: { c: ConflictModel; now?: number }) {
  const who = (c.by ?? "someone").replace(/ \(.*\)$/, "");
  return (
    <div class="conflict" role="alert" data-field={c.field} data-version={String(c.theirs.version)}>
      <p class="conflict-head">
        Changed by <strong>{who}</strong>{" "}
        {c.at ? <time datetime={c.at}>{relativeTime(c.at, now)}</time> : "just now"} while you were
        changing it.
      </p>
      {c.field === "notes" ? (
        <NotesDiff theirs={c.theirs.notes} yours={c.mine.notes ?? ""} />
      ) : (
        <dl class="conflict-versions">
          <dt>Yours</dt>
          <dd class="yours">{shown(c.field, c.mine)}</dd>
          <dt>Theirs</dt>
          <dd class="theirs">{shown(c.field, c.theirs)}</dd>
        </dl>
      )}
      <div class="actions">
        <button type="button" data-action="conflict-choose" data-choice="mine">
          Apply mine again
        </button>
        <button type="button" data-action="conflict-choose" data-choice="theirs">
          Keep theirs
        </button>
      </div>
    </div>
  );
}

function NotesDiff({ theirs, yours }: { theirs: string; yours: string }) {
  return (
    <figure class="word-diff">
      <figcaption>
        Their text → yours: <del>only theirs</del>, <ins>only yours</ins>
      </figcaption>
      <p class="diff-text">
        {wordDiff(theirs, yours).map((p) =>
          p.kind === "same" ? (
            <span>{p.text}</span>
          ) : p.kind === "theirs" ? (
            <del>{p.text}</del>
          ) : (
            <ins>{p.text}</ins>
          ),
        )}
      </p>
    </figure>
  );
}
