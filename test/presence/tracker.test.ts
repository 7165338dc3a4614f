import { describe, expect, test } from "bun:test";
import type { PresenceCounts } from "../../src/live/protocol.ts";
import { MAX_NAMES, PresenceTracker } from "../../src/presence/tracker.ts";

const VIEW = 75_000;
const EDIT = 60_000;

function setup(lifecycleV2 = true) {
  let t = 1_000;
  let lease = 0;
  const tracker = new PresenceTracker({
    viewTtlMs: VIEW,
    editTtlMs: EDIT,
    lifecycleV2,
    now: () => t,
    newLeaseId: () => `lease-${++lease}`,
  });
  const heard: PresenceCounts[] = [];
  tracker.onChange((changed) => heard.push(...changed));
  return {
    tracker,
    heard,
    advance(ms: number) {
      t += ms;
    },
    get now() {
      return t;
    },
  };
}

function ok<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`);
  return r.value;
}

describe("capacity", () => {
  test("P16: at the cap a new tab is refused; nobody is evicted to make room", () => {
    const t = 0;
    const tracker = new PresenceTracker({ viewTtlMs: VIEW, maxSessions: 3, now: () => t });
    for (const id of ["a", "b", "c"]) ok(tracker.join("/x", id));
    expect(tracker.join("/x", "d")).toEqual({ ok: false, error: "presence_full" });
    expect(tracker.heartbeat("/x", "d")).toEqual({ ok: false, error: "presence_full" });
    expect(tracker.counts("/x").viewing).toBe(3);
    expect(tracker.diagnostics().presence_full_total).toBe(2);
  });

  test("P16: stale sessions are dropped to make room, and their scope hears it", () => {
    let t = 0;
    const heard: PresenceCounts[] = [];
    const tracker = new PresenceTracker({ viewTtlMs: VIEW, maxSessions: 2, now: () => t });
    tracker.onChange((c) => heard.push(...c));
    ok(tracker.join("/old", "a"));
    t = 10;
    ok(tracker.join("/x", "b"));
    t = VIEW + 5; // a is stale, b is not
    ok(tracker.join("/x", "c"));
    expect(tracker.counts("/old").viewing).toBe(0);
    expect(tracker.counts("/x").viewing).toBe(2);
    expect(heard).toContainEqual({
      gallery_id: "/old",
      viewing: 0,
      editing: 0,
      names: [],
      sessions: 0,
    });
  });

  test("P16: with lifecycle v2 off a move that would create a session is refused too", () => {
    const tracker = new PresenceTracker({ lifecycleV2: false, maxSessions: 1 });
    ok(tracker.join("/x", "a"));
    expect(tracker.move("/x", "/y", "b", "any")).toEqual({ ok: false, error: "presence_full" });
  });
});

describe("join", () => {
  test("P2: a join counts the tab once in its scope, with a lease", () => {
    const { tracker } = setup();
    const j = ok(tracker.join("/a", "tab1", "Ana"));
    expect(j.created).toBe(true);
    expect(j.leaseId).toBe("lease-1");
    expect(j.counts).toEqual({
      gallery_id: "/a",
      viewing: 1,
      editing: 0,
      names: ["Ana"],
      sessions: 1,
    });
  });

  test("P3: a repeated join with the lease is idempotent (same lease, counted once)", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    const again = ok(tracker.join("/a", "tab1", null, leaseId));
    expect(again.created).toBe(false);
    expect(again.leaseId).toBe(leaseId);
    expect(again.counts.viewing).toBe(1);
    expect(tracker.diagnostics().active_clients).toBe(1);
  });

  test("P3: a join with the lease from another scope moves the session there", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    ok(tracker.join("/b", "tab1", null, leaseId));
    expect(tracker.counts("/a").viewing).toBe(0);
    expect(tracker.counts("/b").viewing).toBe(1);
    expect(tracker.scopeOf("tab1")).toBe("/b");
  });

  test("P3: a join without the lease of a live session is refused and changes nothing", () => {
    const { tracker } = setup();
    ok(tracker.join("/a", "tab1"));
    const before = tracker.snapshot();
    expect(tracker.join("/b", "tab1")).toEqual({ ok: false, error: "invalid_lease" });
    expect(tracker.join("/b", "tab1", null, "forged")).toEqual({
      ok: false,
      error: "invalid_lease",
    });
    expect(tracker.snapshot()).toEqual(before);
    expect(tracker.diagnostics().invalid_lease_total).toBe(2);
  });

  test("P3: a join after the session went stale starts a fresh session", () => {
    const t = setup();
    ok(t.tracker.join("/a", "tab1"));
    t.advance(VIEW);
    const j = ok(t.tracker.join("/b", "tab1"));
    expect(j.created).toBe(true);
    expect(j.leaseId).toBe("lease-2");
    expect(t.tracker.counts("/a").viewing).toBe(0);
    expect(t.tracker.diagnostics().stale_pruned_total).toBe(1);
  });
});

describe("move", () => {
  test("P4: move takes the session out of one scope and into the other", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    ok(tracker.join("/a", "tab2"));
    const m = ok(tracker.move("/a", "/b", "tab1", leaseId));
    expect(m.moved).toBe(true);
    expect(m.from.viewing).toBe(1);
    expect(m.to.viewing).toBe(1);
  });

  test("P4: a replayed move is idempotent", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    ok(tracker.move("/a", "/b", "tab1", leaseId));
    const again = ok(tracker.move("/a", "/b", "tab1", leaseId));
    expect(again.moved).toBe(false);
    expect(again.to.viewing).toBe(1);
    expect(again.from.viewing).toBe(0);
  });

  test("P4: a wrong lease or an unknown session → invalid_lease, nothing changes", () => {
    const { tracker } = setup();
    ok(tracker.join("/a", "tab1"));
    const before = tracker.snapshot();
    expect(tracker.move("/a", "/b", "tab1", "forged")).toEqual({
      ok: false,
      error: "invalid_lease",
    });
    expect(tracker.move("/a", "/b", "nobody", "x")).toEqual({ ok: false, error: "invalid_lease" });
    expect(tracker.snapshot()).toEqual(before);
  });

  test("P4: a move from a scope the session is not in → scope_mismatch", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    expect(tracker.move("/c", "/b", "tab1", leaseId)).toEqual({
      ok: false,
      error: "scope_mismatch",
    });
    expect(tracker.scopeOf("tab1")).toBe("/a");
    expect(tracker.diagnostics().scope_mismatch_total).toBe(1);
  });
});

describe("leave", () => {
  test("P5: leave removes the session; a second leave answers removed:false", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    const first = ok(tracker.leave("/a", "tab1", leaseId));
    expect(first).toEqual({
      mode: "lifecycle_v2",
      removed: true,
      counts: { gallery_id: "/a", viewing: 0, editing: 0, names: [], sessions: 0 },
    });
    const second = ok(tracker.leave("/a", "tab1", leaseId));
    expect(second.removed).toBe(false);
    expect(tracker.diagnostics().active_clients).toBe(0);
  });

  test("P5: nobody can evict a session with its client id alone", () => {
    const { tracker } = setup();
    ok(tracker.join("/a", "tab1"));
    expect(tracker.leave("/a", "tab1", "forged")).toEqual({ ok: false, error: "invalid_lease" });
    expect(tracker.counts("/a").viewing).toBe(1);
  });

  test("P5: leave removes the session from where it really is", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    const r = ok(tracker.leave("/b", "tab1", leaseId));
    expect(r.removed).toBe(true);
    expect(tracker.counts("/a").viewing).toBe(0);
  });
});

describe("legacy heartbeat", () => {
  test("P6: a heartbeat creates and refreshes an unleased session and moves it", () => {
    const t = setup();
    expect(ok(t.tracker.heartbeat("/a", "simple", "Bo")).viewing).toBe(1);
    t.advance(VIEW - 1);
    ok(t.tracker.heartbeat("/b", "simple"));
    t.advance(VIEW - 1);
    expect(t.tracker.prune()).toEqual([]);
    expect(t.tracker.counts("/b")).toEqual({
      gallery_id: "/b",
      viewing: 1,
      editing: 0,
      names: ["Bo"],
      sessions: 1,
    });
  });

  test("P6: a heartbeat cannot move or keep alive a leased session", () => {
    const { tracker } = setup();
    ok(tracker.join("/a", "tab1"));
    expect(tracker.heartbeat("/b", "tab1")).toEqual({ ok: false, error: "invalid_lease" });
    expect(tracker.scopeOf("tab1")).toBe("/a");
  });

  test("P6: a join adopts a heartbeat session and leases it", () => {
    const { tracker } = setup();
    ok(tracker.heartbeat("/a", "tab1"));
    const j = ok(tracker.join("/a", "tab1"));
    expect(j.created).toBe(false);
    expect(j.counts.viewing).toBe(1);
    expect(tracker.heartbeat("/a", "tab1")).toEqual({ ok: false, error: "invalid_lease" });
  });
});

describe("editing", () => {
  test("P8: a write marks the session editing in the scope it wrote from, for edit_ttl", () => {
    const t = setup();
    ok(t.tracker.join("/a", "tab1"));
    ok(t.tracker.join("/a", "tab2"));
    expect(t.tracker.touchEdit("tab1", "/a")).toEqual({
      counted: true,
      counts: { gallery_id: "/a", viewing: 2, editing: 1, names: [], sessions: 2 },
    });
    t.advance(EDIT - 1);
    expect(t.tracker.counts("/a").editing).toBe(1);
    t.advance(1);
    expect(t.tracker.counts("/a").editing).toBe(0);
  });

  test("P8: an edit from another scope does not count where the session is, nor twice", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    expect(tracker.touchEdit("tab1", "/b").counted).toBe(false);
    expect(tracker.counts("/a").editing).toBe(0);
    expect(tracker.counts("/b")).toEqual({
      gallery_id: "/b",
      viewing: 0,
      editing: 0,
      names: [],
      sessions: 0,
    });
    // When the (coalesced) move lands, the edit shows where it was made.
    ok(tracker.move("/a", "/b", "tab1", leaseId));
    expect(tracker.counts("/b").editing).toBe(1);
  });

  test("P8: editing does not follow the session to another scope", () => {
    const { tracker } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    tracker.touchEdit("tab1", "/a");
    ok(tracker.move("/a", "/b", "tab1", leaseId));
    expect(tracker.counts("/b").editing).toBe(0);
    expect(tracker.counts("/a").editing).toBe(0);
  });

  test("P8: a write from a client without a session is not a viewer", () => {
    const { tracker, heard } = setup();
    expect(tracker.touchEdit("api", "/a")).toEqual({ counted: false, counts: null });
    expect(tracker.counts("/a").viewing).toBe(0);
    expect(heard).toEqual([]);
  });

  test("P8: a write keeps the session alive", () => {
    const t = setup();
    ok(t.tracker.join("/a", "tab1"));
    t.advance(VIEW - 1);
    t.tracker.touchEdit("tab1");
    t.advance(VIEW - 1);
    t.tracker.prune();
    expect(t.tracker.counts("/a").viewing).toBe(1);
  });
});

describe("events", () => {
  test("P9: listeners hear a scope only when its numbers or names change", () => {
    const { tracker, heard } = setup();
    const a = ok(tracker.join("/a", "tab1", "Ana"));
    ok(tracker.join("/a", "tab1", "Ana", a.leaseId)); // no change
    ok(tracker.join("/a", "tab2")); // viewing 2
    expect(tracker.join("/a", "tab2", null, "forged").ok).toBe(false); // refused
    expect(heard).toEqual([
      { gallery_id: "/a", viewing: 1, editing: 0, names: ["Ana"], sessions: 1 },
      { gallery_id: "/a", viewing: 2, editing: 0, names: ["Ana"], sessions: 2 },
    ]);
  });

  test("P9: a move publishes both scopes; an emptied scope publishes zeros once", () => {
    const { tracker, heard } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1"));
    heard.length = 0;
    ok(tracker.move("/a", "/b", "tab1", leaseId));
    expect(heard).toEqual([
      { gallery_id: "/a", viewing: 0, editing: 0, names: [], sessions: 0 },
      { gallery_id: "/b", viewing: 1, editing: 0, names: [], sessions: 1 },
    ]);
    heard.length = 0;
    ok(tracker.move("/a", "/b", "tab1", leaseId));
    expect(heard).toEqual([]);
  });

  test("P9: a name change alone is published", () => {
    const { tracker, heard } = setup();
    const { leaseId } = ok(tracker.join("/a", "tab1", "Ana"));
    ok(tracker.join("/a", "tab1", "Ana B", leaseId));
    expect(heard.at(-1)?.names).toEqual(["Ana B"]);
  });
});

describe("names", () => {
  test("P10: names are de-duplicated, sorted and capped; counts stay exact", () => {
    const { tracker } = setup();
    ok(tracker.join("/a", "t1", "bo"));
    ok(tracker.join("/a", "t2", "Ana"));
    ok(tracker.join("/a", "t3", "bo"));
    ok(tracker.join("/a", "t4"));
    expect(tracker.counts("/a")).toEqual({
      gallery_id: "/a",
      viewing: 4,
      editing: 0,
      names: ["Ana", "bo"],
      sessions: 4,
    });
    for (let i = 0; i < MAX_NAMES + 5; i++) ok(tracker.join("/b", `m${i}`, `n${100 + i}`));
    const b = tracker.counts("/b");
    expect(b.viewing).toBe(MAX_NAMES + 5);
    expect(b.names).toHaveLength(MAX_NAMES);
    expect(b.names[0]).toBe("n100");
  });
});

describe("legacy mode", () => {
  test("P11: without lifecycle v2, leave never removes and join/move act as heartbeats", () => {
    const t = setup(false);
    const j = ok(t.tracker.join("/a", "tab1"));
    expect(typeof j.leaseId).toBe("string");
    expect(ok(t.tracker.leave("/a", "tab1", j.leaseId))).toEqual({
      mode: "legacy_heartbeat",
      removed: false,
    });
    expect(t.tracker.counts("/a").viewing).toBe(1);
    // No lease or scope checks: a heartbeat protocol has nothing to check against.
    expect(ok(t.tracker.move("/zzz", "/b", "tab1", "anything")).to.viewing).toBe(1);
    expect(ok(t.tracker.join("/c", "tab1")).counts.viewing).toBe(1);
    expect(t.tracker.counts("/b").viewing).toBe(0);
    expect(t.tracker.diagnostics().lifecycle_v2_enabled).toBe(false);
    t.advance(VIEW);
    t.tracker.prune();
    expect(t.tracker.counts("/c").viewing).toBe(0);
  });
});

describe("people, not tabs", () => {
  test("P18: three tabs of one person and one other person are 2 here in 4 tabs, each named once", () => {
    const t = setup();
    for (const tab of ["t1", "t2", "t3"]) ok(t.tracker.join("/a", tab, "Dee", null, "dee"));
    ok(t.tracker.join("/a", "o1", "Eve", null, "eve"));
    expect(t.tracker.counts("/a")).toEqual({
      gallery_id: "/a",
      viewing: 2,
      editing: 0,
      names: ["Dee", "Eve"],
      sessions: 4,
    });
    expect(t.tracker.diagnostics().active_clients).toBe(4);
  });

  test("P18 P9: a rename in one tab names the person by it at once, though its other tabs still carry the old name", () => {
    const t = setup();
    const leases = ["t1", "t2"].map(
      (tab) => ok(t.tracker.join("/a", tab, "Guest-vw4w", null, "dee")).leaseId,
    );
    t.heard.length = 0;
    ok(t.tracker.join("/a", "t1", "Dee", leases[0], "dee"));
    expect(t.heard).toEqual([
      { gallery_id: "/a", viewing: 1, editing: 0, names: ["Dee"], sessions: 2 },
    ]);
    // The other tab's heartbeat with the name it has not yet heard of changes nothing.
    t.heard.length = 0;
    ok(t.tracker.join("/a", "t2", "Guest-vw4w", leases[1], "dee"));
    expect(t.tracker.counts("/a").names).toEqual(["Dee"]);
    expect(t.heard).toEqual([]);
  });

  test("P18 P8: editing counts people: two editing tabs of one person are 1 editing", () => {
    const t = setup();
    ok(t.tracker.join("/a", "t1", "Dee", null, "dee"));
    ok(t.tracker.join("/a", "t2", "Dee", null, "dee"));
    ok(t.tracker.join("/a", "o1", "Eve", null, "eve"));
    t.tracker.touchEdit("t1", "/a");
    t.tracker.touchEdit("t2", "/a");
    expect(t.tracker.counts("/a")).toMatchObject({ viewing: 2, editing: 1, sessions: 3 });
  });

  test("P18 P5 P9: one tab of a person leaving keeps the person; the tab count is published", () => {
    const t = setup();
    const l1 = ok(t.tracker.join("/a", "t1", "Dee", null, "dee")).leaseId;
    ok(t.tracker.join("/a", "t2", "Dee", null, "dee"));
    t.heard.length = 0;
    ok(t.tracker.leave("/a", "t1", l1));
    expect(t.heard).toEqual([
      { gallery_id: "/a", viewing: 1, editing: 0, names: ["Dee"], sessions: 1 },
    ]);
  });

  test("P18: clients that send no person id count one person per tab, as before", () => {
    const t = setup();
    ok(t.tracker.join("/a", "t1", "Dee"));
    ok(t.tracker.join("/a", "t2", "Dee"));
    ok(t.tracker.heartbeat("/a", "script"));
    expect(t.tracker.counts("/a")).toMatchObject({ viewing: 3, names: ["Dee"], sessions: 3 });
  });
});
