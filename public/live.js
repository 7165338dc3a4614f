// Live collaboration in the browser: one event stream per browser (a leader
// tab holds it, the others hear it over a BroadcastChannel), what each event
// changes on the page, presence (join, move, leave) and the one indicator.
import { indicatorState } from "./indicator.js";
import { isWithin, parentOf, showsSubtree, writeHeaders } from "./page-state.js";

const L = window.lenslet;
const $ = (sel, root = document) => root.querySelector(sel);
const store = (name) => window.Alpine?.store(name);

const TYPING_MS = 2000;
const RECENT_ACTIVITY_MS = 30_000;
const OFFLINE_AFTER_FAILURES = 5;
const POLL_MS = 15_000;
const HEARTBEAT_MS = 30_000;
const MOVE_COALESCE_MS = 350;

// ------------------------------------------------------------------ shared state
const live = {
  // Until the first connection opens: "Connecting…", never a "Reconnecting…" flash.
  connection: "connecting",
  failures: 0,
  polling: false,
  lastEventId: Number($("#app")?.dataset.lastEventId ?? 0),
  seen: new Set(),
  lastRemoteEditAt: null,
  viewing: null,
  editing: null,
  sessions: null, // tabs of those people
  names: [],
  typingUntil: 0,
  offview: new Map(), // path -> name
  activity: null, // { who, what, at }
};

document.addEventListener("alpine:init", () => {
  window.Alpine.store("live", {
    state: "unstable",
    label: "Connecting…",
    count: "…",
    detail: "",
    names: [],
    typing: false,
    offviewText: "",
    offviewCount: 0,
    activity: "",
  });
});

function render() {
  const s = store("live");
  const sync = store("sync");
  const now = Date.now();
  const ind = indicatorState({
    connection: live.connection,
    polling: live.polling,
    saveFailed: sync?.saveState === "failed",
    oldestPendingSaveAt: L.oldestPendingSaveAt?.() ?? null,
    lastRemoteEditAt: live.lastRemoteEditAt,
    viewing: live.viewing,
    editing: live.editing,
    sessions: live.sessions,
    now,
  });
  if (sync) {
    sync.connState = live.connection;
    sync.connLabel =
      live.connection === "live"
        ? "Live"
        : live.connection === "offline"
          ? "Offline — checking every 15 s"
          : live.connection === "connecting"
            ? "Connecting…"
            : "Reconnecting…";
  }
  if (!s) return;
  s.state = ind.state;
  s.label = ind.label;
  s.count = ind.count;
  s.detail = ind.detail;
  s.names = live.connection === "live" ? live.names : [];
  s.typing = now < live.typingUntil;
  const items = [...live.offview.values()];
  s.offviewCount = items.length;
  s.offviewText = items.length
    ? `${items.length} update${items.length === 1 ? "" : "s"} outside this view: ${items.slice(0, 2).join(", ")}${items.length > 2 ? ` +${items.length - 2}` : ""}`
    : "";
  s.activity =
    live.activity && now - live.activity.at < RECENT_ACTIVITY_MS
      ? `${live.activity.who} edited ${live.activity.what} · ${Math.max(1, Math.round((now - live.activity.at) / 1000))} s ago`
      : "";
}
// Relative times and the recent cue age on their own.
setInterval(render, 1000);

// ------------------------------------------------------------------ tab identity
/** Holds a Web Lock for the life of the page; resolves false if another tab holds it. */
function holdLock(name) {
  return new Promise((resolve) => {
    navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      resolve(!!lock);
      return lock ? new Promise(() => {}) : undefined;
    });
  });
}

/** A duplicated tab copies sessionStorage: the second holder of an id takes a new one. */
async function claimTabId() {
  if (!navigator.locks) return;
  for (let i = 0; i < 5; i++) {
    if (await holdLock(`lenslet-tab-${L.me.clientId}`)) return;
    L.me.clientId = Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem("lenslet.client", L.me.clientId);
  }
}

// ------------------------------------------------------------------ the stream
const channel = "BroadcastChannel" in window ? new BroadcastChannel("lenslet-live") : null;
const EVENT_NAMES = [
  "item-updated",
  "metrics-updated",
  "presence",
  "persistence",
  "resync-required",
  "gallery-changed",
];

function setConnection(state, failures = live.failures) {
  const was = live.connection;
  live.connection = state;
  live.failures = failures;
  if (state === "live") {
    stopPolling();
    if (was !== "live") {
      presence.rejoin();
      L.retryFailed();
    }
  } else if (state === "offline") {
    startPolling();
  }
  render();
}

function becomeLeader() {
  const el = document.createElement("div");
  el.id = "live-stream";
  el.hidden = true;
  el.setAttribute("hx-sse:connect", `/events?last_event_id=${live.lastEventId}`);
  // The leader keeps the stream even when hidden: other tabs depend on it.
  el.setAttribute(
    "hx-config",
    JSON.stringify({ sse: { pauseOnBackground: false, reconnectMaxDelay: POLL_MS } }),
  );
  document.body.append(el);
  for (const name of EVENT_NAMES) {
    el.addEventListener(name, (e) => {
      const msg = { kind: "event", name, data: e.detail?.data ?? "{}", id: Number(e.detail?.id) };
      channel?.postMessage(msg);
      onMessage(msg);
    });
  }
  el.addEventListener("htmx:sse:after:connection", () => {
    channel?.postMessage({ kind: "status", state: "live", failures: 0 });
    setConnection("live", 0);
  });
  const failed = () => {
    const failures = live.failures + 1;
    const state = failures >= OFFLINE_AFTER_FAILURES ? "offline" : "reconnecting";
    channel?.postMessage({ kind: "status", state, failures });
    setConnection(state, failures);
  };
  el.addEventListener("htmx:sse:error", failed);
  el.addEventListener("htmx:sse:close", (e) => {
    if (e.detail?.reason !== "removed") failed();
  });
  window.htmx.process(el);
}

function startStream() {
  if (!navigator.locks || !channel) {
    becomeLeader();
    return;
  }
  channel.onmessage = (e) => onMessage(e.data);
  // Followers ask the leader for its status when they start.
  channel.postMessage({ kind: "hello" });
  navigator.locks.request("lenslet-stream-leader", () => {
    becomeLeader();
    return new Promise(() => {});
  });
}

function onMessage(msg) {
  if (msg.kind === "status") setConnection(msg.state, msg.failures);
  else if (msg.kind === "hello") {
    if ($("#live-stream"))
      channel?.postMessage({ kind: "status", state: live.connection, failures: live.failures });
  } else if (msg.kind === "event") onEvent(msg.name, msg.data, msg.id);
}

// ------------------------------------------------------------------ events → page
function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

function onEvent(name, raw, id) {
  if (Number.isFinite(id) && id > 0) {
    if (live.seen.has(id) && name !== "resync-required") return;
    live.seen.add(id);
    if (live.seen.size > 5000) live.seen = new Set([...live.seen].slice(-2500));
    live.lastEventId = Math.max(live.lastEventId, id);
  }
  const data = parse(raw);
  if (!data) return;
  switch (name) {
    case "item-updated":
      onItemUpdated(data, id);
      break;
    case "metrics-updated":
      onMetricsUpdated(data);
      break;
    case "presence":
      if (data.gallery_id === presence.scope) applyCounts(data);
      break;
    case "persistence":
      L.onPersistence?.(data);
      break;
    case "resync-required":
      resync();
      break;
    case "gallery-changed":
      onGalleryChanged(data);
      break;
  }
  render();
}

function inView(path) {
  const card = L.cardFor(path);
  if (!card || !L.grid.el) return false;
  const a = card.getBoundingClientRect();
  const b = L.grid.el.getBoundingClientRect();
  return a.bottom > b.top && a.top < b.bottom;
}

/** An item the current view would list if filters and scrolling allowed. */
function inScope(path) {
  return showsSubtree() ? isWithin(path, L.currentFolder()) : parentOf(path) === L.currentFolder();
}

let viewReload = 0;
function reloadViewSoon() {
  clearTimeout(viewReload);
  viewReload = setTimeout(() => L.reloadView(), 150);
}

function onItemUpdated(d, id) {
  L.noteVersion(d.path, d.version);
  const mine = d.client_id === L.me.clientId;
  if (!mine) {
    live.lastRemoteEditAt = Date.now();
    live.activity = {
      who: (d.updated_by ?? "someone").replace(/ \(.*\)$/, ""),
      what: d.path.split("/").pop(),
      at: Date.now(),
    };
  }
  const visible = inView(d.path);
  L.showRecords([d], !mine && pulseOnce(id));
  if (!mine && !visible && inScope(d.path)) live.offview.set(d.path, d.path.split("/").pop());
  if (L.labelDrivenView()) reloadViewSoon();
  if (L.inspectorPath() === d.path && !mine) L.remoteInspectorUpdate(d);
}

const pulsed = new Set();
function pulseOnce(id) {
  if (!Number.isFinite(id)) return true;
  if (pulsed.has(id)) return false;
  pulsed.add(id);
  return true;
}

function onMetricsUpdated(d) {
  for (const it of d.items ?? []) {
    L.noteVersion(it.path, it.version);
    if (L.inspectorPath() === it.path)
      L.remoteInspectorUpdate({ path: it.path, changed_fields: ["metrics"] });
  }
  if (d.truncated || L.metricSorted()) reloadViewSoon();
}

/** Files came, went or were rewritten on disk: tree counts and children, and the view if it shows them. */
function onGalleryChanged(d) {
  for (const [folder, total] of Object.entries(d.totals ?? {})) {
    for (const el of document.querySelectorAll(
      `.tree .folder-link[data-folder="${CSS.escape(folder)}"] .count`,
    ))
      el.textContent = Number(total).toLocaleString("en-US");
  }
  const folder = L.currentFolder();
  const shown = (f) => (showsSubtree() ? isWithin(f, folder) : f === folder);
  // The server already waited for the disk to settle: reload now.
  if ((d.folders ?? []).some(shown) || (d.modified ?? []).some(inScope)) L.reloadView();
  for (const f of d.tree ?? []) refreshTreeChildren(f);
  // The folder shown vanished: go up to the nearest one still there (its totals came with the event).
  if ((d.gone ?? []).some((g) => isWithin(folder, g))) {
    const up = Object.keys(d.totals ?? {})
      .filter((f) => isWithin(folder, f))
      .sort((a, b) => b.length - a.length)[0];
    $(`.crumb[data-folder="${CSS.escape(up ?? "/")}"]`)?.click();
  }
}

/** Re-reads the children of a folder the tree shows open (a leaf that gained folders: its parent's). */
function refreshTreeChildren(folder) {
  const node = $(`.tree .tree-node[data-folder="${CSS.escape(folder)}"]`);
  if (!node) return;
  if (node.classList.contains("leaf")) {
    if (folder !== "/") refreshTreeChildren(parentOf(folder));
    return;
  }
  const list = node.querySelector(":scope > details > .tree-children, :scope > .tree-children");
  if (!list || list.querySelector(":scope > .loading")) return;
  const url = `/tree?folder=${encodeURIComponent(folder)}&current=${encodeURIComponent(L.currentFolder())}`;
  window.htmx.ajax("GET", url, { source: "#tree", target: list, swap: "innerHTML" });
}

/** The stream could not replay what we missed: re-fetch everything shown. */
function resync() {
  L.reloadView();
  const p = L.inspectorPath();
  if (p) L.remoteInspectorUpdate({ path: p, changed_fields: ["star", "tags", "notes", "metrics"] });
  presence.rejoin();
}

// Items that become visible leave the off-view summary.
document.addEventListener("lenslet:cards", () => {
  let changed = false;
  for (const path of live.offview.keys()) {
    if (inView(path)) {
      live.offview.delete(path);
      changed = true;
    }
  }
  if (changed) render();
});

document.addEventListener("click", (e) => {
  const a = e.target.closest?.("[data-action]");
  if (!a) return;
  if (a.dataset.action === "offview-dismiss") {
    live.offview.clear();
    render();
  } else if (a.dataset.action === "offview-reveal") {
    const paths = [...live.offview.keys()];
    live.offview.clear();
    render();
    if (paths.length) L.reveal(paths[0]);
  }
});

// ------------------------------------------------------------------ polling fallback
let pollTimer = 0;
function startPolling() {
  if (pollTimer) return;
  live.polling = true;
  pollTimer = setInterval(() => {
    L.reloadView();
    const p = L.inspectorPath();
    if (p)
      L.remoteInspectorUpdate({ path: p, changed_fields: ["star", "tags", "notes", "metrics"] });
  }, POLL_MS);
}
function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = 0;
  live.polling = false;
}

// ------------------------------------------------------------------ presence
function applyCounts(c) {
  live.viewing = c.viewing;
  live.editing = c.editing;
  live.sessions = c.sessions ?? null;
  live.names = c.names ?? [];
  render();
}

const LEASE_KEY = "lenslet.lease";

const presence = {
  scope: null,
  // The lease survives a reload (sessionStorage), so a reloaded tab resumes its own session.
  lease: (() => {
    const [id, lease] = (sessionStorage.getItem(LEASE_KEY) ?? "").split(":");
    return id === L.me.clientId && lease ? lease : null;
  })(),
  joined: false,
  wanted: null,
  busy: false,
  lastMoveAt: 0,
  timer: 0,

  setLease(lease) {
    this.lease = lease;
    if (lease) sessionStorage.setItem(LEASE_KEY, `${L.me.clientId}:${lease}`);
    else sessionStorage.removeItem(LEASE_KEY);
  },

  async post(route, body) {
    const res = await fetch(`/presence/${route}`, {
      method: "POST",
      headers: writeHeaders(),
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  },

  async join() {
    const scope = L.currentFolder();
    const body = {
      gallery_id: scope,
      client_id: L.me.clientId,
      person_id: L.me.personId,
      name: L.me.name,
    };
    if (this.lease) body.lease_id = this.lease;
    const r = await this.post("join", body);
    if (r.status === 200) {
      this.scope = r.body.gallery_id;
      this.setLease(r.body.lease_id);
      this.joined = true;
      applyCounts(r.body);
    } else if (r.status === 409) {
      // Another live session holds this id (a duplicated tab that missed the lock): take a new one.
      L.me.clientId = Math.random().toString(36).slice(2, 10);
      sessionStorage.setItem("lenslet.client", L.me.clientId);
      this.setLease(null);
    }
    return r.status;
  },

  /** Joins again (same lease): after a reconnect, a restart of the server, or a rename. */
  rejoin() {
    this.joined = false;
    this.sync();
  },

  /** Brings the server's scope to the page's folder: at most ~3 requests a second, the last one always sent. */
  async sync() {
    this.wanted = L.currentFolder();
    if (this.busy) return;
    const wait = this.lastMoveAt + MOVE_COALESCE_MS - Date.now();
    if (wait > 0 && this.joined) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.sync(), wait);
      return;
    }
    this.busy = true;
    try {
      for (
        let attempts = 0;
        attempts < 5 && (!this.joined || this.scope !== this.wanted);
        attempts++
      ) {
        this.lastMoveAt = Date.now();
        if (!this.joined) {
          // 503: the server tracks as many tabs as it may; the 30 s rejoin tries again.
          if ((await this.join()) === 503) break;
          continue;
        }
        const to = this.wanted;
        const r = await this.post("move", {
          from_gallery_id: this.scope,
          to_gallery_id: to,
          client_id: L.me.clientId,
          lease_id: this.lease,
        });
        if (r.status === 200) {
          this.scope = r.body.gallery_id ?? to;
          applyCounts(r.body);
        } else {
          this.joined = false; // scope mismatch or lost lease: join again, which also moves
        }
      }
    } catch {
      // Offline: the reconnect rejoins.
    } finally {
      this.busy = false;
    }
    if (this.joined && this.scope !== L.currentFolder()) this.sync();
  },

  leaveBeacon() {
    if (!this.lease || !this.scope) return;
    const body = JSON.stringify({
      gallery_id: this.scope,
      client_id: L.me.clientId,
      lease_id: this.lease,
    });
    const sent = navigator.sendBeacon?.(
      "/presence/leave",
      new Blob([body], { type: "text/plain" }),
    );
    if (!sent) {
      fetch("/presence/leave", {
        method: "POST",
        body,
        keepalive: true,
        headers: { "Content-Type": "text/plain" },
      }).catch(() => {});
    }
    this.joined = false;
  },
};

// The heartbeat is a join repeated while the tab is visible.
setInterval(() => {
  if (document.visibilityState === "visible" && presence.joined) presence.rejoin();
}, HEARTBEAT_MS);

window.addEventListener("pagehide", () => presence.leaveBeacon());
window.addEventListener("pageshow", (e) => {
  if (e.persisted) presence.rejoin();
});
document.addEventListener("lenslet:folder", () => presence.sync());
document.addEventListener("lenslet:rename", () => presence.rejoin());
document.addEventListener("lenslet:typing", () => {
  live.typingUntil = Date.now() + TYPING_MS;
  render();
  setTimeout(render, TYPING_MS + 50);
});

// ------------------------------------------------------------------ start
(async () => {
  await claimTabId();
  startStream();
  presence.sync();
  render();
})();
window.lensletLive = { live, presence };
