/**
 * Model-based property test: random interleavings of every tracker operation
 * (many tabs, forged and stale leases, clock jumps, prunes) checked against a
 * deliberately naive reference model (one flat list, no indexes), plus the
 * invariants that must hold after every single step.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import type { PresenceCounts } from "../../src/live/protocol.ts";
import { MAX_NAMES, PresenceTracker } from "../../src/presence/tracker.ts";

const VIEW = 1_000;
const EDIT = 600;
const CLIENTS = ["c0", "c1", "c2", "c3", "c4", "c5"];
const SCOPES = ["/", "/a", "/a/b", "/c"];
const NAMES = [undefined, "Ana", "Bo", "ana"];
/** Tabs of one browser share a person id; undefined = an old client, a person of its own. */
const PEOPLE = [undefined, "P0", "P1"];

type LeaseChoice = "held" | "forged" | "none" | "old";
type Op =
  | { kind: "join"; c: string; g: string; name?: string; lease: LeaseChoice; p?: string }
  | { kind: "move"; c: string; from: string; to: string; lease: LeaseChoice; fromActual: boolean }
  | { kind: "leave"; c: string; g: string; lease: LeaseChoice }
  | { kind: "heartbeat"; c: string; g: string; name?: string; p?: string }
  | { kind: "edit"; c: string; g?: string }
  | { kind: "advance"; ms: number }
  | { kind: "prune" };

const client = fc.constantFrom(...CLIENTS);
const scope = fc.constantFrom(...SCOPES);
const name = fc.constantFrom(...NAMES);
const lease = fc.constantFrom<LeaseChoice>("held", "held", "forged", "none", "old");
const person = fc.constantFrom(...PEOPLE);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("join" as const),
      c: client,
      g: scope,
      name,
      lease,
      p: person,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("move" as const),
      c: client,
      from: scope,
      to: scope,
      lease,
      fromActual: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("leave" as const), c: client, g: scope, lease }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("heartbeat" as const),
      c: client,
      g: scope,
      name,
      p: person,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      c: client,
      g: fc.option(scope, { nil: undefined }),
    }),
  },
  // Steps of 100 ms land exactly on the TTL boundaries often.
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.oneof(
        fc.integer({ min: 0, max: 4 }).map((n) => n * 100),
        fc.integer({ min: 0, max: 70 }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("prune" as const) }) },
);

interface ModelSession {
  c: string;
  /** The person id it last joined with, or null (then it is a person of its own). */
  p: string | null;
  /** When its name was set or changed, by a counter: a person shows its latest name. */
  named: number;
  scope: string;
  lease: string | null;
  name: string | null;
  seen: number;
  edit: { at: number; scope: string } | null;
}

/** The rules of docs/spec.md "Presence", written as plainly as possible. */
class Model {
  sessions: ModelSession[] = [];
  leases = 0;
  names = 0;
  /** Leases each client was ever given, to replay an old one. */
  history = new Map<string, string[]>();
  constructor(
    readonly v2: boolean,
    public now: number,
  ) {}

  newLease(c: string): string {
    const l = `L${++this.leases}`;
    this.history.set(c, [...(this.history.get(c) ?? []), l]);
    return l;
  }

  find(c: string): ModelSession | undefined {
    return this.sessions.find((s) => s.c === c);
  }

  /** The session if still fresh; a stale one is dropped on touch, as the spec says. */
  live(c: string): ModelSession | undefined {
    const s = this.find(c);
    if (s && this.now - s.seen >= VIEW) {
      this.sessions = this.sessions.filter((x) => x !== s);
      return undefined;
    }
    return s;
  }

  leaseFor(c: string, choice: LeaseChoice): string | undefined {
    const hist = this.history.get(c) ?? [];
    if (choice === "held") return this.find(c)?.lease ?? hist.at(-1) ?? "never";
    if (choice === "old") return hist.at(-2) ?? "never";
    if (choice === "forged") return "forged";
    return undefined;
  }

  counts(g: string): PresenceCounts {
    const here = this.sessions.filter((s) => s.scope === g);
    const who = (s: ModelSession) => (s.p ? `person ${s.p}` : `tab ${s.c}`);
    const people = [...new Set(here.map(who))];
    const editing = new Set(
      here
        .filter((s) => s.edit !== null && s.edit.scope === g && this.now - s.edit.at < EDIT)
        .map(who),
    ).size;
    // Each person by the name it set last, among its tabs here.
    const personNames = people.map(
      (p) =>
        here
          .filter((s) => who(s) === p && s.name)
          .sort((a, b) => b.named - a.named)
          .at(0)?.name,
    );
    const names = [...new Set(personNames.filter((n): n is string => !!n))]
      .sort(new Intl.Collator("en").compare)
      .slice(0, MAX_NAMES);
    return { gallery_id: g, viewing: people.length, editing, names, sessions: here.length };
  }

  /** Sets a name the way a join or heartbeat does: only a change counts as naming. */
  rename(s: ModelSession, nm: string | undefined): void {
    if (nm && nm !== s.name) {
      s.name = nm;
      s.named = ++this.names;
    }
  }

  beat(c: string, g: string, nm: string | undefined, leased: boolean, p?: string): ModelSession {
    let s = this.live(c);
    if (!s) {
      s = this.create(c, g, leased ? this.newLease(c) : null, nm, p);
    } else {
      s.scope = g;
      this.rename(s, nm);
      if (p) s.p = p;
      s.seen = this.now;
    }
    return s;
  }

  create(
    c: string,
    g: string,
    lease: string | null,
    nm: string | undefined,
    p: string | undefined,
  ): ModelSession {
    const s: ModelSession = {
      c,
      p: p ?? null,
      named: nm ? ++this.names : 0,
      scope: g,
      lease,
      name: nm ?? null,
      seen: this.now,
      edit: null,
    };
    this.sessions.push(s);
    return s;
  }

  apply(op: Op, leaseArg: string | undefined): string {
    switch (op.kind) {
      case "join": {
        if (!this.v2) {
          const s = this.beat(op.c, op.g, op.name, true, op.p);
          return `ok ${s.lease}`;
        }
        const s = this.live(op.c);
        if (!s) return `ok ${this.create(op.c, op.g, this.newLease(op.c), op.name, op.p).lease}`;
        if (s.lease === null) s.lease = this.newLease(op.c);
        else if (s.lease !== leaseArg) return "invalid_lease";
        s.scope = op.g;
        this.rename(s, op.name);
        if (op.p) s.p = op.p;
        s.seen = this.now;
        return `ok ${s.lease}`;
      }
      case "move": {
        if (!this.v2) {
          const s = this.beat(op.c, op.to, undefined, true);
          return `ok ${s.lease}`;
        }
        const s = this.live(op.c);
        if (!s || s.lease === null || s.lease !== leaseArg) return "invalid_lease";
        if (s.scope !== op.from && s.scope !== op.to) return "scope_mismatch";
        s.scope = op.to;
        s.seen = this.now;
        return `ok ${s.lease}`;
      }
      case "leave": {
        if (!this.v2) return "ok legacy";
        const s = this.live(op.c);
        if (!s) return "ok kept";
        if (s.lease === null || s.lease !== leaseArg) return "invalid_lease";
        this.sessions = this.sessions.filter((x) => x !== s);
        return "ok removed";
      }
      case "heartbeat": {
        if (this.v2) {
          const s = this.live(op.c);
          if (s && s.lease !== null) return "invalid_lease";
        }
        this.beat(op.c, op.g, op.name, !this.v2, op.p);
        return "ok";
      }
      case "edit": {
        const s = this.live(op.c);
        if (!s) return "uncounted";
        s.edit = { at: this.now, scope: op.g ?? s.scope };
        s.seen = this.now;
        return s.edit.scope === s.scope ? "counted" : "uncounted";
      }
      case "advance":
        this.now += op.ms;
        return "ok";
      case "prune":
        this.sessions = this.sessions.filter((s) => this.now - s.seen < VIEW);
        return "ok";
    }
  }
}

function outcome(r: { ok: boolean; error?: string }, okText: string): string {
  return r.ok ? okText : (r.error ?? "?");
}

function run(v2: boolean, ops: Op[]): void {
  let now = 0;
  let leases = 0;
  const tracker = new PresenceTracker({
    viewTtlMs: VIEW,
    editTtlMs: EDIT,
    lifecycleV2: v2,
    now: () => now,
    newLeaseId: () => `L${++leases}`,
  });
  const model = new Model(v2, now);
  /** What a subscriber believes, built only from published changes. */
  const heard = new Map<string, PresenceCounts>();
  tracker.onChange((changed) => {
    for (const c of changed) {
      const prev = heard.get(c.gallery_id) ?? {
        gallery_id: c.gallery_id,
        viewing: 0,
        editing: 0,
        names: [],
        sessions: 0,
      };
      // P9: nothing is published that the subscriber already knew.
      expect(c).not.toEqual(prev);
      heard.set(c.gallery_id, c);
    }
  });

  for (const generated of ops) {
    // Half the moves start from where the model says the session really is.
    const op: Op =
      generated.kind === "move" && generated.fromActual
        ? { ...generated, from: model.find(generated.c)?.scope ?? generated.from }
        : generated;
    const leaseArg = "lease" in op ? model.leaseFor(op.c, op.lease) : undefined;
    let actual: string;
    switch (op.kind) {
      case "join": {
        const r = tracker.join(op.g, op.c, op.name, leaseArg, op.p);
        actual = r.ok ? `ok ${r.value.leaseId}` : r.error;
        break;
      }
      case "move": {
        const r = tracker.move(op.from, op.to, op.c, leaseArg ?? "none");
        actual = r.ok ? `ok ${r.value.leaseId}` : r.error;
        break;
      }
      case "leave": {
        const r = tracker.leave(op.g, op.c, leaseArg ?? "none");
        actual = r.ok
          ? r.value.mode === "legacy_heartbeat"
            ? "ok legacy"
            : r.value.removed
              ? "ok removed"
              : "ok kept"
          : r.error;
        break;
      }
      case "heartbeat":
        actual = outcome(tracker.heartbeat(op.g, op.c, op.name, op.p), "ok");
        break;
      case "edit":
        actual = tracker.touchEdit(op.c, op.g).counted ? "counted" : "uncounted";
        break;
      case "advance":
        now += op.ms;
        actual = "ok";
        break;
      case "prune":
        tracker.prune();
        actual = "ok";
        break;
    }
    const expected = model.apply(op, leaseArg);
    expect(actual).toBe(expected);

    // Counts equal the naive model in every scope.
    for (const g of SCOPES) expect(tracker.counts(g)).toEqual(model.counts(g));
    // Invariants: one scope per client, never negative, editing ≤ people ≤ tabs, no empty scope kept.
    const snap = tracker.snapshot();
    const total = snap.reduce((n, c) => n + c.sessions, 0);
    expect(total).toBe(tracker.diagnostics().active_clients);
    for (const c of snap) {
      expect(c.viewing).toBeGreaterThan(0);
      expect(c.editing).toBeGreaterThanOrEqual(0);
      expect(c.editing).toBeLessThanOrEqual(c.viewing);
      expect(c.viewing).toBeLessThanOrEqual(c.sessions);
    }
    for (const c of CLIENTS) {
      const inScopes = SCOPES.filter((g) => tracker.scopeOf(c) === g).length;
      expect(inScopes).toBe(model.find(c) ? 1 : 0);
    }
    // P9: viewing, names and new edits reach subscribers at once; an edit
    // expiring with no other change is published by the next prune.
    for (const g of SCOPES) {
      const h = heard.get(g) ?? { gallery_id: g, viewing: 0, editing: 0, names: [], sessions: 0 };
      const c = tracker.counts(g);
      expect({ viewing: h.viewing, names: h.names, sessions: h.sessions }).toEqual({
        viewing: c.viewing,
        names: c.names,
        sessions: c.sessions,
      });
      expect(c.editing).toBeLessThanOrEqual(h.editing);
      if (op.kind === "prune") expect(h).toEqual(c);
    }
  }
}

test("P2, P3, P4, P5, P6, P8, P9, P10, P18: random lifecycle-v2 operations match the reference model", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 200, size: "max" }), (ops) =>
      run(true, ops),
    ),
    { numRuns: 300 },
  );
}, 60_000);

test("P11, P18: random legacy-mode operations match the reference model", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 200, size: "max" }), (ops) =>
      run(false, ops),
    ),
    { numRuns: 150 },
  );
}, 60_000);
