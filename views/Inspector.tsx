/** @jsxImportSource hono/jsx */

import { CullButtons } from "./CullButtons.tsx";
import { ExifFacts } from "./ExifFacts.tsx";
import { FindSimilar } from "./FindSimilar.tsx";
import {
  formatBytes,
  formatDate,
  refusedTitle,
  relativeTime,
  starsName,
  starText,
} from "./format.ts";
import type { ItemDetails } from "./model.ts";

export function StarButtons({
  star,
  label,
  readOnly,
}: {
  star: number | null;
  label: string;
  /** Why writes from this page are refused: the buttons are disabled and say so. */
  readOnly?: string | null;
}) {
  return (
    <fieldset class="star-buttons" disabled={!!readOnly} title={refusedTitle(readOnly)}>
      <legend class="sr-only">{label}</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          type="button"
          class={(star ?? 0) >= n ? "star on" : "star"}
          data-action="star"
          data-value={String(n)}
          aria-pressed={(star ?? 0) >= n ? "true" : "false"}
          aria-label={starsName(n)}
          title={`${starsName(n)} (key ${n})`}
        >
          ★
        </button>
      ))}
      <button
        type="button"
        class="star-clear"
        data-action="star"
        data-value="0"
        aria-label="Clear rating"
        title="Clear rating (key 0)"
      >
        ✕
      </button>
    </fieldset>
  );
}

export function LastEdited({ by, at }: { by: string | null; at: string | null }) {
  if (!at) return <p class="last-edited muted">Never edited</p>;
  return (
    <p class="last-edited muted" data-at={at}>
      Last edited by <strong>{by ?? "someone"}</strong>,{" "}
      <time datetime={at}>{relativeTime(at)}</time>
    </p>
  );
}

/** The inspector with nothing selected. GET /inspector (no path) returns exactly this. */
export function EmptyInspector() {
  return (
    <section id="inspector-body" class="inspector-body empty-inspector" data-path="">
      <p class="muted">
        Select an image to see its details. Shift- or Ctrl-click to select several.
      </p>
    </section>
  );
}

/** The inspector for one item. GET /inspector?path= returns exactly this. */
export function Inspector({
  item,
  viewerHref,
  readOnly,
}: {
  item: ItemDetails | null;
  viewerHref?: string;
  /** Why writes from this page are refused (per request): edit controls are disabled and say why. */
  readOnly?: string | null;
}) {
  if (!item) return <EmptyInspector />;
  const metrics = Object.entries(item.metrics);
  return (
    <section
      id="inspector-body"
      class="inspector-body"
      data-path={item.path}
      data-version={String(item.version)}
      aria-label="Inspector"
    >
      <a
        class="preview"
        href={viewerHref ?? item.fileUrl}
        data-action="open-viewer"
        title="Open viewer (Enter)"
      >
        <img src={item.previewUrl} alt={item.name} decoding="async" />
      </a>
      <h2 class="item-name" title={item.path}>
        {item.name}
      </h2>
      <FindSimilar href={item.similarHref} />
      <dl class="facts">
        <dt>Folder</dt>
        <dd>{item.folder}</dd>
        <dt>Dimensions</dt>
        <dd class="dims">{item.width > 0 ? `${item.width} × ${item.height}` : "—"}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(item.size)}</dd>
        <dt>Modified</dt>
        <dd>{formatDate(item.mtimeMs)}</dd>
      </dl>
      <ExifFacts item={item} />
      {readOnly && (
        <p class="no-write-note" role="note">
          Edits here will not be saved: {readOnly}.
        </p>
      )}
      <div class="field" data-field="star">
        <span class="label">Stars</span>
        <StarButtons star={item.star} label="Stars" readOnly={readOnly} />
        <span class="sr-only">{starText(item.star)}</span>
        <div class="conflict-slot" data-conflict="star" />
      </div>
      <div class="field" data-field="cull">
        <span class="label">Flag · colour</span>
        <CullButtons flag={item.flag} color={item.color} readOnly={readOnly} />
        <div class="conflict-slot" data-conflict="flag" />
        <div class="conflict-slot" data-conflict="color" />
      </div>
      <div class="field" data-field="tags">
        <span class="label">Tags</span>
        <ul class="tag-list">
          {item.tags.map((t) => (
            <li class="chip">
              <span>{t}</span>
              <button
                type="button"
                data-action="remove-tag"
                data-tag={t}
                disabled={!!readOnly}
                aria-label={`Remove tag ${t}`}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          class="tag-input"
          type="text"
          placeholder="Add tag, Enter"
          aria-label="Add tag"
          maxlength={128}
          disabled={!!readOnly}
          title={refusedTitle(readOnly)}
        />
        <div class="conflict-slot" data-conflict="tags" />
      </div>
      <div class="field" data-field="notes">
        <label class="label" for="notes-input">
          Notes
        </label>
        <textarea
          id="notes-input"
          class="notes"
          rows={5}
          maxlength={20000}
          data-base={item.notes}
          disabled={!!readOnly}
          title={refusedTitle(readOnly)}
        >
          {item.notes}
        </textarea>
        <div class="conflict-slot" data-conflict="notes" />
      </div>
      {(metrics.length > 0 || (item.fields?.length ?? 0) > 0) && (
        <dl class="facts metrics">
          {metrics.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{String(v)}</dd>
            </>
          ))}
          {/* A table row's own fields (D25): its class, caption, dates. */}
          {item.fields?.map((f) => (
            <>
              <dt>{f.name}</dt>
              <dd class={`field-${f.kind}`}>
                {typeof f.value !== "number"
                  ? f.value
                  : f.value % 86_400_000 === 0
                    ? formatDate(f.value).slice(0, 10)
                    : formatDate(f.value)}
              </dd>
            </>
          ))}
        </dl>
      )}
      <p class="save-line">
        <span
          class="save-status"
          x-data
          x-text="$store.sync.saveLabel"
          x-bind:class="$store.sync.saveState"
        />
      </p>
      <LastEdited by={item.updatedBy} at={item.updatedAt} />
      <p class="links">
        <a href={item.fileUrl} target="_blank" rel="noopener">
          Original
        </a>
      </p>
    </section>
  );
}
