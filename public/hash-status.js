// @ts-check
// The status bar's hashing progress (spec M5): `/health.hashes` while the background job runs (and once
// more when it is done), whoever started it.
const POLL_MS = 1500;

let watching = false;
export async function watchHashing() {
  if (watching) return;
  watching = true;
  try {
    for (;;) {
      const res = await fetch("/health").catch(() => null);
      const h = res?.ok ? (await res.json().catch(() => null))?.hashes : null;
      const out = document.getElementById("hash-status");
      if (!h) break;
      if (out) {
        out.hidden = !h.running;
        out.textContent = h.running ? `Hashing ${h.hashed} / ${h.total}` : "";
      }
      if (!h.running) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    watching = false;
  }
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watchHashing);
else watchHashing();
