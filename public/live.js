// @ts-check
// Live collaboration in the browser: one event stream per browser (a leader
// tab holds it, the others hear it over a BroadcastChannel), what each event
// changes on the page, presence (join, move, leave) and the one indicator.
// Events are typed by the server's protocol (src/live/protocol.ts): a renamed event or payload field fails tsc.
import { cardFor, grid } from "./grid.js";
import { indicatorState } from "./indicator.js";
import { inspectedPath, remoteInspectorUpdate } from "./inspector.js";
import {
  $,
  currentFolder,
  isWithin,
  me,
  noteVersion,
  parentOf,
  showsSubtree,
  store,
  writeHeaders,
} from "./page-state.js";
import {
  labelDrivenView,
  metricSorted,
  oldestPendingSaveAt,
  onPersistence,
  reloadView,
  retryFailed,
  reveal,
  showRecords,
} from "./writes.js";

/**
 * @import { EventName, GalleryChanged, ItemUpdated, MetricsUpdated, PersistenceState, PresenceCounts } from "../src/live/protocol.ts"
 * @typedef {"connecting" | "live" | "reconnecting" | "offline"} Connection
 * @typedef {EventName | "access-revoked"} StreamEventName the bus's events, and the access guard's last word (A7)
 * @typedef {{ kind: "event", name: StreamEventName, data: string, id: number }
 *   | { kind: "status", state: Connection, failures: number }
 *   | { kind: "hello" }} ChannelMessage
 */

// What this module uses from the rest of the page, in one place.
const L = {
  me,
  grid,
  cardFor,
  currentFolder,
  noteVersion,
  retryFailed,
  labelDrivenView,
  metricSorted,
  reloadView,
  inspectorPath: inspectedPath,
  remoteInspectorUpdate,
  reveal,
  onPersistence,
  oldestPendingSaveAt,
  showRecords,
};

const TYPING_MS = 2000;
const RECENT_ACTIVITY_MS = 30_000;
const OFFLINE_AFTER_FAILURES = 5;
const POLL_MS = 15_000;
const HEARTBEAT_MS = 30_000;
const MOVE_COALESCE_MS = 350;

// ------------------------------------------------------------------ shared state
const live = {
  // Until the first connection opens: "Connecting…", never a "Reconnecting…" flash.
  /** @type {Connection} */
  connection: "connecting",
  failures: 0,
  polling: false,
  lastEventId: Number($("#app")?.dataset.lastEventId ?? 0),
  /** @type {Set<number>} */
  seen: new Set(),
  /** @type {number | null} */
  lastRemoteEditAt: null,
  /** @type {number | null} */
  viewing: null,
  /** @type {number | null} */
  editing: null,
  /** @type {number | null} tabs of those people */
  sessions: null,
  /** @type {string[]} */
  names: [],
  typingUntil: 0,
  /** @type {Map<string, string>} path -> name */
  offview: new Map(),
  /** @type {{ who: string, what: string, at: number } | null} */
  activity: null,
};

document.addEventListener("alpine:init", () => {
  window.Alpine?.store("live", {
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
/** @param {string} name @returns {Promise<boolean>} */
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
/** @type {StreamEventName[]} */
const EVENT_NAMES = [
  "item-updated",
  "metrics-updated",
  "presence",
  "persistence",
  "resync-required",
  "gallery-changed",
  "access-revoked",
  // Saved views (D20): public/saved-views.js refreshes the Views section on lenslet:views-changed.
  "views-changed",
];

/** @param {Connection} state @param {number} [failures] */
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
      const detail = /** @type {CustomEvent<{ data?: string, id?: string }>} */ (e).detail;
      /** @type {ChannelMessage} */
      const msg = { kind: "event", name, data: detail?.data ?? "{}", id: Number(detail?.id) };
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
    /** @type {Connection} */
    const state = failures >= OFFLINE_AFTER_FAILURES ? "offline" : "reconnecting";
    channel?.postMessage({ kind: "status", state, failures });
    setConnection(state, failures);
  };
  el.addEventListener("htmx:sse:error", failed);
  el.addEventListener("htmx:sse:close", (e) => {
    if (/** @type {CustomEvent<{ reason?: string }>} */ (e).detail?.reason !== "removed") failed();
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

/** @param {ChannelMessage} msg */
function onMessage(msg) {
  if (msg.kind === "status") setConnection(msg.state, msg.failures);
  else if (msg.kind === "hello") {
    if ($("#live-stream"))
      channel?.postMessage({ kind: "status", state: live.connection, failures: live.failures });
  } else if (msg.kind === "event") onEvent(msg.name, msg.data, msg.id);
}

// ------------------------------------------------------------------ events → page
/** @param {string} data @returns {unknown} */
function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

/** @param {StreamEventName} name @param {string} raw @param {number} id */
function onEvent(name, raw, id) {
  if (name === "access-revoked") {
    // Carries no id of its own (the stream's last id is repeated), so it skips the duplicate check.
    // The server ends the stream after it: stop here, and let public/access.js say why.
    $("#live-stream")?.remove();
    document.dispatchEvent(new CustomEvent("lenslet:access-revoked", { detail: parse(raw) }));
    return;
  }
  if (Number.isFinite(id) && id > 0) {
    if (live.seen.has(id) && name !== "resync-required") return;
    live.seen.add(id);
    if (live.seen.size > 5000) live.seen = new Set([...live.seen].slice(-2500));
    live.lastEventId = Math.max(live.lastEventId, id);
  }
  /** @type {any} the payload of `name`, as the server's protocol types say (each case names its type) */
  const data = parse(raw);
  if (!data) return;
  switch (name) {
    case "item-updated":
      onItemUpdated(/** @type {ItemUpdated} */ (data), id);
      break;
    case "metrics-updated":
      onMetricsUpdated(/** @type {MetricsUpdated} */ (data));
      break;
    case "presence": {
      const counts = /** @type {PresenceCounts} */ (data);
      if (counts.gallery_id === presence.scope) applyCounts(counts);
      // Any folder's change: the people list (public/people.js) follows everyone.
      document.dispatchEvent(new CustomEvent("lenslet:presence", { detail: counts }));
      break;
    }
    case "persistence":
      L.onPersistence(/** @type {PersistenceState} */ (data));
      break;
    case "resync-required":
      resync();
      break;
    case "gallery-changed":
      onGalleryChanged(/** @type {GalleryChanged} */ (data));
      break;
  }
  render();
  // Server-rendered regions refresh on these (hx-trigger="lenslet:item-updated from:document"), in every tab.
  document.dispatchEvent(new CustomEvent(`lenslet:${name}`, { detail: data }));
}

/** @param {string} path */
function inView(path) {
  const card = L.cardFor(path);
  if (!card || !L.grid.el) return false;
  const a = card.getBoundingClientRect();
  const b = L.grid.el.getBoundingClientRect();
  return a.bottom > b.top && a.top < b.bottom;
}

/** An item the current view would list if filters and scrolling allowed. */
/** @param {string} path */
function inScope(path) {
  return showsSubtree() ? isWithin(path, L.currentFolder()) : parentOf(path) === L.currentFolder();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let viewReload;
function reloadViewSoon() {
  clearTimeout(viewReload);
  viewReload = setTimeout(() => L.reloadView(), 150);
}

/** @param {ItemUpdated} d @param {number} id */
function onItemUpdated(d, id) {
  L.noteVersion(d.path, d.version);
  const mine = d.client_id === L.me.clientId;
  if (!mine) {
    live.lastRemoteEditAt = Date.now();
    live.activity = {
      who: (d.updated_by ?? "someone").replace(/ \(.*\)$/, ""),
      what: d.path.split("/").pop() ?? d.path,
      at: Date.now(),
    };
  }
  const visible = inView(d.path);
  L.showRecords([d], !mine && pulseOnce(id));
  if (!mine && !visible && inScope(d.path))
    live.offview.set(d.path, d.path.split("/").pop() ?? d.path);
  if (L.labelDrivenView()) reloadViewSoon();
  if (L.inspectorPath() === d.path && !mine) L.remoteInspectorUpdate(d);
}

/** @type {Set<number>} */
const pulsed = new Set();
/** @param {number} id */
function pulseOnce(id) {
  if (!Number.isFinite(id)) return true;
  if (pulsed.has(id)) return false;
  pulsed.add(id);
  return true;
}

/** @param {MetricsUpdated} d */
function onMetricsUpdated(d) {
  for (const it of d.items ?? []) {
    L.noteVersion(it.path, it.version);
    if (L.inspectorPath() === it.path)
      L.remoteInspectorUpdate({ path: it.path, changed_fields: ["metrics"] });
  }
  if (d.truncated || L.metricSorted()) reloadViewSoon();
}

/** Files came, went or were rewritten on disk: tree counts and children, and the view if it shows them. */
/** @param {GalleryChanged} d */
function onGalleryChanged(d) {
  for (const [folder, total] of Object.entries(d.totals ?? {})) {
    for (const el of document.querySelectorAll(
      `.tree .folder-link[data-folder="${CSS.escape(folder)}"] .count`,
    ))
      el.textContent = Number(total).toLocaleString("en-US");
  }
  const folder = L.currentFolder();
  const shown = (/** @type {string} */ f) => (showsSubtree() ? isWithin(f, folder) : f === folder);
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
/** @param {string} folder */
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
  const a = /** @type {HTMLElement | null} */ (
    /** @type {HTMLElement} */ (e.target).closest?.("[data-action]")
  );
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
/** @type {ReturnType<typeof setInterval> | 0} */
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
/** @param {PresenceCounts} c */
function applyCounts(c) {
  live.viewing = c.viewing;
  live.editing = c.editing;
  live.sessions = c.sessions ?? null;
  live.names = c.names ?? [];
  render();
}

const LEASE_KEY = "lenslet.lease";

const presence = {
  /** @type {string | null} */
  scope: null,
  // The lease survives a reload (sessionStorage), so a reloaded tab resumes its own session.
  /** @type {string | null} */
  lease: (() => {
    const [id, lease] = (sessionStorage.getItem(LEASE_KEY) ?? "").split(":");
    return id === L.me.clientId && lease ? lease : null;
  })(),
  joined: false,
  /** @type {string | null} */
  wanted: null,
  busy: false,
  lastMoveAt: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer: undefined,

  /** @param {string | null} lease */
  setLease(lease) {
    this.lease = lease;
    if (lease) sessionStorage.setItem(LEASE_KEY, `${L.me.clientId}:${lease}`);
    else sessionStorage.removeItem(LEASE_KEY);
  },

  /** @param {string} route @param {object} body @returns {Promise<{ status: number, body: any }>} */
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
    /** @type {{ gallery_id: string, client_id: string, person_id: string, name: string, lease_id?: string }} */
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
/** @type {any} */ (window).lensletLive = { live, presence };
