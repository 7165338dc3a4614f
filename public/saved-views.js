// @ts-check
// Saved views (views/SavedViews.tsx, D20): names the current filter + sort with POST /views. The list itself
// is server-rendered and refreshed by htmx on lenslet:views-changed (the event stream, every page).
import { $, currentQuery, writeHeaders } from "./page-state.js";

function init() {
  const form = /** @type {HTMLFormElement | null} */ ($("#saved-views form.save-view"));
  if (!form) return;
  // Readers use views; only someone whose writes are kept may save one.
  form.hidden = document.getElementById("app")?.dataset.canWrite !== "1";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const input = /** @type {HTMLInputElement} */ (form.elements.namedItem("name"));
    const status = /** @type {HTMLOutputElement | null} */ (form.querySelector("output"));
    const name = input.value.trim();
    if (!name) return;
    try {
      const r = await fetch("/views", {
        method: "POST",
        headers: writeHeaders(),
        body: JSON.stringify({ name, query: currentQuery() }),
      });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(body.message ?? `HTTP ${r.status}`);
      input.value = "";
      if (status) status.textContent = `Saved “${name}”`;
      // This page too, even before its own event arrives.
      document.dispatchEvent(new CustomEvent("lenslet:views-changed", { detail: body }));
    } catch (err) {
      if (status) status.textContent = `Not saved: ${/** @type {Error} */ (err).message}`;
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
