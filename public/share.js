// The Share dialog (rendered only for owners and admins): invite links with a role, API tokens, and the
// lists of open invites, sessions and tokens (GET /access/share) with their revoke / end buttons. Every
// action is a call to the /access JSON API; the server checks each one (a role above yours is refused).
const dialog = document.getElementById("share-dialog");
let opener = null;

const $ = (id) => document.getElementById(id);

function say(text) {
  const s = $("share-status");
  if (s) s.textContent = text;
}

function loadLists() {
  window.htmx?.ajax("GET", "/access/share", {
    source: "#share-lists",
    target: "#share-lists",
    swap: "innerHTML",
  });
}

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

function open(from) {
  if (!dialog) return;
  opener = from ?? document.activeElement;
  say("");
  dialog.showModal();
  loadLists();
}

// Focus goes back where it came from (Esc, the × button or the form all end here).
dialog?.addEventListener("close", () => {
  opener?.focus?.();
  opener = null;
});

function show(resultId, inputId, value) {
  const input = $(inputId);
  input.value = value;
  $(resultId).hidden = false;
  input.focus();
  input.select();
}

async function copy(inputId) {
  const input = $(inputId);
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // Plain http on a LAN address is not a secure context: the clipboard API is missing there.
    input.select();
    document.execCommand("copy");
  }
  say("Copied.");
}

document.addEventListener("click", async (e) => {
  const a = e.target.closest?.("[data-action]");
  if (!a) return;
  const action = a.dataset.action;
  try {
    if (action === "share-open") open(a);
    else if (action === "share-close") dialog?.close();
    else if (action === "share-copy") await copy(a.dataset.copy);
    else if (action === "share-revoke-invite") {
      const end = a.dataset.endSessions === "1";
      await call("DELETE", `/access/invites/${a.dataset.id}${end ? "?end_sessions=1" : ""}`);
      say(end ? "Link revoked; its sessions ended." : "Link revoked.");
      loadLists();
    } else if (action === "share-end-session") {
      await call("DELETE", `/access/sessions/${a.dataset.id}`);
      say("Session ended.");
      loadLists();
    } else if (action === "share-revoke-token") {
      await call("DELETE", `/access/tokens/${a.dataset.id}`);
      say("Token revoked.");
      loadLists();
    }
  } catch (err) {
    say(`Not done: ${err.message}`);
  }
});

document.addEventListener("submit", async (e) => {
  const form = e.target;
  const action = form.dataset?.action;
  if (action !== "share-invite" && action !== "share-token") return;
  e.preventDefault();
  const data = new FormData(form);
  try {
    if (action === "share-invite") {
      const body = { role: data.get("role") };
      if (data.get("expires_in")) body.expires_in = Number(data.get("expires_in"));
      if (data.get("uses")) body.uses = Number(data.get("uses"));
      const made = await call("POST", "/access/invites", body);
      show("share-invite-result", "share-link", made.link);
      say(`A ${made.invite.role} link was created.`);
    } else {
      const made = await call("POST", "/access/tokens", {
        name: String(data.get("name") ?? "").trim(),
        role: data.get("role"),
      });
      show("share-token-result", "share-secret", made.secret);
      say(
        `Token "${made.token.name}" (${made.token.role}) was created; its secret is shown this once.`,
      );
    }
    loadLists();
  } catch (err) {
    say(`Not created: ${err.message}`);
  }
});
