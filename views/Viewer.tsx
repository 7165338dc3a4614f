/** @jsxImportSource hono/jsx */

import { CullButtons } from "./CullButtons.tsx";
import { FindSimilar } from "./FindSimilar.tsx";
import { StarButtons } from "./Inspector.tsx";
import type { ItemDetails } from "./model.ts";

export interface ViewerModel {
  item: ItemDetails;
  index: number;
  total: number;
  prevHref: string | null;
  nextHref: string | null;
  closeHref: string;
  /** Neighbours' image URLs, preloaded so ←/→ feel instant. */
  preload: string[];
  prevPath: string | null;
  nextPath: string | null;
}

/**
 * Originals above this size are fetched by public/zoom.js with a reader, so the viewer shows
 * how much has arrived (a 16 MB JPEG takes seconds); smaller ones load as a plain `<img>`.
 */
export const PROGRESS_FROM_BYTES = 1_500_000;

/**
 * Full-screen viewer. GET /viewer?… returns this fragment; the page renders it when the URL has view=1.
 * The thumbnail, stretched to the image's shape, stands in until the original (or, for formats a
 * browser cannot show, the display image) has loaded; public/zoom.js zooms and pans the frame.
 */
export function Viewer({ v, readOnly }: { v: ViewerModel; readOnly?: string | null }) {
  const it = v.item;
  const progress = it.size > PROGRESS_FROM_BYTES && it.viewUrl === it.fileUrl;
  return (
    <div
      id="viewer"
      class="viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Viewer: ${it.name}`}
      data-path={it.path}
      data-version={String(it.version)}
      data-prev={v.prevPath ?? ""}
      data-next={v.nextPath ?? ""}
    >
      <div class="viewer-bar">
        <span class="viewer-name" title={it.path}>
          {it.name}
        </span>
        <span class="viewer-pos">
          {v.index + 1} / {v.total}
        </span>
        <StarButtons star={it.star} label="Stars" readOnly={readOnly} />
        <CullButtons flag={it.flag} color={it.color} readOnly={readOnly} />
        <FindSimilar href={it.similarHref} />
        <fieldset class="viewer-zoom">
          <legend class="sr-only">Zoom</legend>
          <button type="button" data-zoom="fit" title="Fit to the window (double-click)">
            Fit
          </button>
          <button type="button" data-zoom="1" title="Actual pixels, 1:1 (double-click)">
            1:1
          </button>
          <output class="zoom-level" aria-live="polite" />
        </fieldset>
        <button
          type="button"
          class="viewer-help"
          data-action="shortcuts"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
        >
          ?
        </button>
        <a
          class="viewer-close"
          href={v.closeHref}
          data-action="close-viewer"
          aria-label="Close (Esc)"
        >
          ✕
        </a>
      </div>
      <div class="viewer-stage">
        {v.prevHref ? (
          <a
            class="viewer-nav prev"
            href={v.prevHref}
            data-action="viewer-prev"
            aria-label="Previous (←)"
          >
            ‹
          </a>
        ) : (
          <span class="viewer-nav prev disabled" />
        )}
        <div
          class="viewer-frame"
          data-width={String(it.width)}
          data-height={String(it.height)}
          data-size={String(it.size)}
        >
          <img class="viewer-placeholder" src={it.previewUrl} alt="" aria-hidden="true" />
          <img
            class="viewer-img"
            src={progress ? undefined : it.viewUrl}
            data-src={progress ? it.viewUrl : undefined}
            data-display={it.displayUrl}
            alt={it.name}
            decoding="async"
            draggable={false}
          />
          {progress && (
            <noscript>
              <img class="viewer-img loaded" src={it.viewUrl} alt={it.name} />
            </noscript>
          )}
        </div>
        <div class="viewer-progress" hidden>
          <span class="bar" />
          <span class="pct" />
        </div>
        {v.nextHref ? (
          <a
            class="viewer-nav next"
            href={v.nextHref}
            data-action="viewer-next"
            aria-label="Next (→)"
          >
            ›
          </a>
        ) : (
          <span class="viewer-nav next disabled" />
        )}
      </div>
      <div class="viewer-preload" hidden>
        {v.preload.map((src) => (
          <img src={src} alt="" loading="eager" decoding="async" />
        ))}
      </div>
    </div>
  );
}
