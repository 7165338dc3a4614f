/** @jsxImportSource hono/jsx */
import { CullBadges } from "./CullFilters.tsx";
import { starText } from "./format.ts";
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

/** Full-screen viewer. GET /viewer?… returns this fragment; the page renders it when the URL has view=1. */
export function Viewer({ v }: { v: ViewerModel }) {
  return (
    <div
      id="viewer"
      class="viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Viewer: ${v.item.name}`}
      data-path={v.item.path}
      data-prev={v.prevPath ?? ""}
      data-next={v.nextPath ?? ""}
    >
      <div class="viewer-bar">
        <span class="viewer-name">{v.item.name}</span>
        <span class="viewer-pos">
          {v.index + 1} / {v.total}
        </span>
        <span class="stars rated" data-star={String(v.item.star ?? 0)}>
          {starText(v.item.star)}
        </span>
        <CullBadges flag={v.item.flag} color={v.item.color} />
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
        <img class="viewer-img" src={v.item.fileUrl} alt={v.item.name} decoding="async" />
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
