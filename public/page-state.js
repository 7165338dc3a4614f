// What every part of the page shares: DOM helpers, who you are, the Alpine
// stores, the current view's query, and the last known version of each item.

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// ---------------------------------------------------------------- identity
export let askName = false;
export const me = (() => {
  let name = localStorage.getItem("lenslet.name");
  if (!name) {
    name = `Guest-${Math.random().toString(36).slice(2, 6)}`;
    localStorage.setItem("lenslet.name", name);
  }
  // Asked once, in a small box that blocks nothing; a guest name until then.
  askName = !localStorage.getItem("lenslet.nameAsked");
  // One id per tab: sessionStorage survives a reload but not a new tab.
  // A duplicated tab copies sessionStorage; the tab claims its id on a
  // BroadcastChannel and takes a new one if another live tab answers.
  let clientId = sessionStorage.getItem("lenslet.client");
  if (!clientId) {
    clientId = Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem("lenslet.client", clientId);
  }
  // One person per browser profile: every tab shares it (localStorage), so presence counts people, not tabs.
  let personId = localStorage.getItem("lenslet.person");
  if (!personId) {
    personId = crypto.randomUUID();
    localStorage.setItem("lenslet.person", personId);
  }
  return { name, clientId, personId };
})();

/**
 * Who and where, for every request that says so. Header values must be Latin-1 (fetch refuses `東京` or `Łukasz`),
 * so each is sent percent-encoded UTF-8; the server's one reader (src/routes/request-actor.ts) decodes them.
 */
export function actorHeaders() {
  return {
    "X-Lenslet-Name": encodeURIComponent(me.name),
    "X-Lenslet-Client": encodeURIComponent(me.clientId),
    "X-Lenslet-Scope": encodeURIComponent(currentFolder()),
  };
}

export function writeHeaders() {
  return { "Content-Type": "application/json", ...actorHeaders() };
}

// ---------------------------------------------------------------- Alpine stores
document.addEventListener("alpine:init", () => {
  const Alpine = window.Alpine;
  Alpine.store("me", { name: me.name });
  Alpine.store("sel", { count: 0, message: "" });
  Alpine.store("sync", {
    saveState: "idle",
    saveLabel: "",
    connState: "connecting",
    connLabel: "Connecting…",
  });
});
export const store = (name) => window.Alpine?.store(name);
export function setSave(state, label) {
  const s = store("sync");
  if (s) {
    s.saveState = state;
    s.saveLabel = label;
  }
}

// ---------------------------------------------------------------- browse state
export function browseEl() {
  return $("#browse");
}
export function currentFolder() {
  return browseEl()?.dataset.folder ?? "/";
}
export function showsSubtree() {
  return browseEl()?.dataset.recursive === "1";
}

// Canonical paths, as the server's src/core/paths.ts writes them.
export function parentOf(path) {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}
/** `path` is `folder` or lies below it. */
export function isWithin(path, folder) {
  return folder === "/" || path === folder || path.startsWith(`${folder}/`);
}
export function currentQuery() {
  return browseEl()?.dataset.query ?? "";
}
export function withQuery(path, extra = {}) {
  const p = new URLSearchParams(currentQuery());
  for (const [k, v] of Object.entries(extra)) {
    if (v === null || v === undefined) p.delete(k);
    else p.set(k, String(v));
  }
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

// ---------------------------------------------------------------- versions
// Last known version of each item, fed by cards, /select, write answers and events.
export const versions = new Map();
export function noteVersion(path, v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return;
  if ((versions.get(path) ?? 0) < n) versions.set(path, n);
}
