// @ts-check
// Downloads an export in the page, with progress: "This view" (a plain GET link the
// server renders for the view shown, views/ExportMenu.tsx) and "Selection" (POST of
// the selected paths). The file name is the server's (Content-Disposition).
import { state, writeHeaders } from "./page-state.js";

const status = () => document.getElementById("export-status");

/** @param {string} text */
function say(text) {
  const el = status();
  if (el) el.textContent = text;
}

/**
 * The file name the server chose: RFC 5987 `filename*` first, then `filename`.
 * @param {string | null} disposition
 * @param {string} fallback
 */
export function fileNameOf(disposition, fallback) {
  const exact = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition ?? "");
  if (exact) {
    try {
      return decodeURIComponent(exact[1].trim());
    } catch {
      // fall through to the ASCII name
    }
  }
  const ascii = /filename\s*=\s*"([^"]*)"/i.exec(disposition ?? "");
  return ascii ? ascii[1] : fallback;
}

/** @param {number} bytes */
function kb(bytes) {
  return bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * @param {Request} request
 * @param {string} fallbackName
 */
async function download(request, fallbackName) {
  say("Exporting…");
  const res = await fetch(request);
  if (!res.ok || !res.body) {
    const body = await res.json().catch(() => ({}));
    say(`Export failed: ${body.message ?? res.status}`);
    return;
  }
  const rows = Number(res.headers.get("X-Export-Rows"));
  const of = Number.isFinite(rows) ? ` (${rows.toLocaleString("en-US")} images)` : "";
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    say(`Exporting${of}… ${kb(loaded)}`);
  }
  const name = fileNameOf(res.headers.get("Content-Disposition"), fallbackName);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(
    new Blob(chunks, { type: res.headers.get("Content-Type") ?? "application/octet-stream" }),
  );
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  say(`Saved ${name}${of}`);
}

document.addEventListener("click", (e) => {
  const el = /** @type {HTMLElement | null} */ (
    /** @type {HTMLElement} */ (e.target).closest?.(
      '[data-action="export"], [data-action="export-selection"]',
    )
  );
  if (!el) return;
  e.preventDefault();
  const format = el.dataset.format;
  if (el.dataset.action === "export") {
    download(new Request(/** @type {HTMLAnchorElement} */ (el).href), `lenslet-export.${format}`);
    return;
  }
  const paths = [...state.selected];
  if (!paths.length) {
    say("Select images first (click, Shift-click, Ctrl/⌘+A).");
    return;
  }
  download(
    new Request("/export", {
      method: "POST",
      headers: writeHeaders(),
      body: JSON.stringify({ paths, format }),
    }),
    `lenslet-selection.${format}`,
  );
});
