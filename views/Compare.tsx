/** @jsxImportSource hono/jsx */
/**
 * Compare (spec M4): 2–4 images side by side in a modal overlay, each frame with its own stars,
 * flag and colour controls and "Keep this one". public/compare.js locks zoom and pan across the
 * frames, moves focus between them and sends the writes; this is only what they show.
 */
import { CullButtons } from "./CullButtons.tsx";
import type { ItemDetails } from "./model.ts";

function Frame({ it, n, readOnly }: { it: ItemDetails; n: number; readOnly: string | null }) {
  const star = it.star ?? 0;
  return (
    <section
      class="compare-frame"
      tabindex={0}
      aria-label={`${n}: ${it.name}`}
      data-path={it.path}
      data-version={String(it.version)}
      data-flag={it.flag ?? ""}
      data-color={it.color ?? ""}
      data-star={String(star)}
    >
      <header class="compare-head">
        <span class="compare-name" title={it.path}>
          {it.name}
        </span>
        <fieldset class="compare-labels" disabled={!!readOnly} title={readOnly ?? undefined}>
          <legend class="sr-only">Labels of {it.name}</legend>
          {[1, 2, 3, 4, 5].map((v) => (
            <button
              type="button"
              class={star >= v ? "star on" : "star"}
              data-compare="star"
              data-value={String(v)}
              aria-pressed={star >= v ? "true" : "false"}
              title={`${v} star${v > 1 ? "s" : ""} (key ${v})`}
            >
              ★
            </button>
          ))}
          <button type="button" data-compare="star" data-value="0" title="No stars (key 0)">
            ⌫
          </button>
          <CullButtons flag={it.flag} color={it.color} />
          <button
            type="button"
            class="keep"
            data-compare="keep"
            title="Pick this one, reject the others (K)"
          >
            Keep this one
          </button>
        </fieldset>
      </header>
      <div class="compare-stage">
        <div class="compare-pic" data-width={String(it.width)} data-height={String(it.height)}>
          <img class="compare-placeholder" src={it.previewUrl} alt="" aria-hidden="true" />
          <img
            class="compare-img"
            src={it.viewUrl}
            data-display={it.displayUrl}
            alt={it.name}
            decoding="async"
            draggable={false}
          />
        </div>
      </div>
    </section>
  );
}

export function Compare({ items, readOnly }: { items: ItemDetails[]; readOnly: string | null }) {
  return (
    <div
      id="compare"
      class="compare"
      role="dialog"
      aria-modal="true"
      aria-label={`Compare ${items.length} images`}
      data-zoom="fit"
      data-count={String(items.length)}
    >
      <div class="compare-bar">
        <span class="compare-title">Compare {items.length}</span>
        <span class="muted compare-hint">
          ←/→ move between frames · 0–5, P/X/U, 6–9, V act on the one in focus · zoom and pan move
          all
        </span>
        <fieldset class="compare-zoom">
          <legend class="sr-only">Zoom</legend>
          <button type="button" data-compare="zoom" data-value="fit" title="Fit (double-click)">
            Fit
          </button>
          <button type="button" data-compare="zoom" data-value="1" title="Actual pixels, 1:1">
            1:1
          </button>
          <output class="compare-level" aria-live="polite" />
        </fieldset>
        <button type="button" class="compare-close" data-compare="close" aria-label="Close (Esc)">
          ✕
        </button>
      </div>
      <div class="compare-frames">
        {items.map((it, i) => (
          <Frame it={it} n={i + 1} readOnly={readOnly} />
        ))}
      </div>
    </div>
  );
}
