// @ts-check
// Access control in the page (does nothing unless it is on: #app[data-access]): a page whose session was
// ended says so at once and stops (the stream's last `access-revoked` event, or a 401 on any request), and
// a viewer's rating keys show a short hint instead of pretending to rate. The server refuses either way.
const app = document.getElementById("app");
const accessOn = app?.dataset.access === "token";
const HINT_MS = 2500;

// ---------------------------------------------------------------- access ended
let ended = false;

/**
 * Shows "Your access was ended by an admin" over an inert page, and stops the live parts.
 * @param {string} reason the server's error code
 * @param {"stream" | "request"} via what told us
 */
function accessEnded(reason, via) {
  if (ended) return;
  ended = true;
  app?.setAttribute("data-access-ended", reason);
  app?.setAttribute("data-access-ended-via", via);
  app?.setAttribute("data-access-ended-at", String(Date.now()));
  // No reconnects: htmx closes a removed element's stream for good.
  document.getElementById("live-stream")?.remove();
  const live = /** @type {{ lensletLive?: { presence?: { joined: boolean } } }} */ (
    /** @type {unknown} */ (window)
  ).lensletLive;
  if (live?.presence) live.presence.joined = false;
  const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("access-ended"));
  if (reason !== "session_ended") {
    const title = document.getElementById("access-ended-title");
    if (title) title.textContent = "Your access to this Lenslet ended";
  }
  // Modal: everything else on the page is inert; Esc must not dismiss what is true.
  dialog?.addEventListener("cancel", (e) => e.preventDefault());
  if (dialog && !dialog.open) dialog.showModal();
  document.title = `Access ended · ${document.title}`;
}

if (accessOn) {
  document.addEventListener("lenslet:access-revoked", () => accessEnded("session_ended", "stream"));

  // Every request the page makes (ours and htmx's go through fetch): a 401 means the credential is gone.
  const realFetch = window.fetch.bind(window);
  /** @param {Parameters<typeof fetch>} args */
  const watched = async (...args) => {
    const res = await realFetch(...args);
    if (res.status === 401 && !ended) {
      res
        .clone()
        .json()
        .then((/** @type {{ error?: string }} */ body) => {
          if (body?.error === "session_ended" || body?.error === "auth_required")
            accessEnded(body.error, "request");
        })
        .catch(() => {});
    }
    return res;
  };
  window.fetch = Object.assign(watched, { preconnect: realFetch.preconnect ?? (() => {}) });
}

// ---------------------------------------------------------------- a viewer's keys
/** @param {EventTarget | null} t */
function typing(t) {
  return (
    t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))
  );
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let hintTimer;
/** @param {string} text */
function showHint(text) {
  const el = document.getElementById("role-hint");
  if (!el) return;
  el.textContent = text;
  el.hidden = false;
  clearTimeout(hintTimer);
  hintTimer = setTimeout(() => {
    el.hidden = true;
  }, HINT_MS);
}

// Capture phase: runs before the shortcuts (public/keyboard.js), which skip a handled key.
window.addEventListener(
  "keydown",
  (e) => {
    const refusal = app?.dataset.writeRefusal;
    if (!accessOn || !refusal || e.defaultPrevented || typing(e.target)) return;
    if (e.ctrlKey || e.metaKey || e.altKey || !/^Digit[0-5]$/.test(e.code)) return;
    if (document.querySelector("dialog[open]")) return;
    e.preventDefault();
    showHint(
      app?.dataset.role === "viewer" ? "You can view, not rate" : `Not saved from here: ${refusal}`,
    );
  },
  true,
);

export { accessEnded };
