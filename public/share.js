// @ts-check
// The Share dialog (rendered only for owners and admins): invite links with a role, API tokens, and the
// lists of open invites, sessions and tokens (GET /access/share) with their revoke / end buttons. Every
// action is a call to the /access JSON API; the server checks each one (a role above yours is refused).
import { showDialog } from "./modal.js";

const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("share-dialog"));

/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/** @param {string} text */
function say(text) {
  const s = document.getElementById("share-status");
  if (s) s.textContent = text;
}

function loadLists() {
  window.htmx?.ajax("GET", "/access/share", {
    source: "#share-lists",
    target: "#share-lists",
    swap: "innerHTML",
  });
}

/**
 * @typedef {{ invite: { role: string }, link: string }} InviteMade POST /access/invites (201)
 * @typedef {{ token: { name: string, role: string }, secret: string }} TokenMade POST /access/tokens (201)
 */

/**
 * One call to the /access API; a refusal throws with the server's message.
 * @param {string} method @param {string} url @param {Record<string, unknown>} [body]
 * @returns {Promise<unknown>} the answer's JSON (shapes in src/routes/openapi/access.ts)
 */
async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.message ?? `${method} ${url}: ${res.status}`);
  return json;
}

/** @param {HTMLElement} from */
function open(from) {
  if (!dialog) return;
  say("");
  // Focus goes back where it came from when it closes (Esc, the × button or the form all end there).
  showDialog(dialog, from);
  loadLists();
}

/** @param {string} resultId @param {string} inputId @param {string} value */
function show(resultId, inputId, value) {
  const field = input(inputId);
  field.value = value;
  const result = document.getElementById(resultId);
  if (result) result.hidden = false;
  field.focus();
  field.select();
}

/** @param {string} inputId */
async function copy(inputId) {
  const field = input(inputId);
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // Plain http on a LAN address is not a secure context: the clipboard API is missing there.
    field.select();
    document.execCommand("copy");
  }
  say("Copied.");
}

document.addEventListener("click", async (e) => {
  const a = e.target instanceof Element ? e.target.closest("[data-action]") : null;
  if (!(a instanceof HTMLElement) || !dialog) return;
  const { action, id = "", copy: copyFrom = "" } = a.dataset;
  try {
    if (action === "share-open") open(a);
    else if (action === "share-close") dialog.close();
    else if (action === "share-copy") await copy(copyFrom);
    else if (action === "share-revoke-invite") {
      const end = a.dataset.endSessions === "1";
      await call(
        "DELETE",
        `/access/invites/${encodeURIComponent(id)}${end ? "?end_sessions=1" : ""}`,
      );
      say(end ? "Link revoked; its sessions ended." : "Link revoked.");
      loadLists();
    } else if (action === "share-end-session") {
      await call("DELETE", `/access/sessions/${encodeURIComponent(id)}`);
      say("Session ended.");
      loadLists();
    } else if (action === "share-revoke-token") {
      await call("DELETE", `/access/tokens/${encodeURIComponent(id)}`);
      say("Token revoked.");
      loadLists();
    }
  } catch (err) {
    say(`Not done: ${/** @type {Error} */ (err).message}`);
  }
});

document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement)) return;
  const action = form.dataset.action;
  if (action !== "share-invite" && action !== "share-token") return;
  e.preventDefault();
  const data = new FormData(form);
  try {
    if (action === "share-invite") {
      /** @type {Record<string, unknown>} */
      const body = { role: data.get("role") };
      if (data.get("expires_in")) body.expires_in = Number(data.get("expires_in"));
      if (data.get("uses")) body.uses = Number(data.get("uses"));
      const made = /** @type {InviteMade} */ (await call("POST", "/access/invites", body));
      show("share-invite-result", "share-link", made.link);
      say(`A ${made.invite.role} link was created.`);
    } else {
      const made = /** @type {TokenMade} */ (
        await call("POST", "/access/tokens", {
          name: String(data.get("name") ?? "").trim(),
          role: data.get("role"),
        })
      );
      show("share-token-result", "share-secret", made.secret);
      say(
        `Token "${made.token.name}" (${made.token.role}) was created; its secret is shown this once.`,
      );
    }
    loadLists();
  } catch (err) {
    say(`Not created: ${/** @type {Error} */ (err).message}`);
  }
});
