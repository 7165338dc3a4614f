/**
 * Who is in which folder, and who is editing there. Plain state with an
 * injectable clock: no HTTP, no timers, no bus. Routes and the prune loop
 * (src/presence/service.ts) drive it; listeners hear which scopes changed.
 *
 * A session is one browser tab (`client_id`). It is in exactly one scope at a
 * time, so it can never be counted twice. Tabs of one browser profile share a
 * person id: viewing(S) and editing(S) count distinct people, `sessions` their
 * tabs, and each person is named once (by the name it set last). Counts are
 * sizes of sets, so they can never go negative. Sessions created by `join` carry a server-issued
 * lease: only its holder may move or remove the session, so knowing someone's
 * client id (it travels in item-updated events) is not enough to evict them.
 */
import type { PresenceCounts } from "../live/protocol.ts";

export const DEFAULT_VIEW_TTL_MS = 75_000;
export const DEFAULT_EDIT_TTL_MS = 60_000;
export const DEFAULT_PRUNE_INTERVAL_MS = 5_000;
/** The client's heartbeat period; documented here so the TTL keeps two beats of slack. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** Names listed per scope; the counts stay exact beyond it. */
export const MAX_NAMES = 20;
/** Live sessions held at once: invented client ids cannot grow memory without bound (P16). */
export const DEFAULT_MAX_SESSIONS = 10_000;

export type PresenceError = "invalid_lease" | "scope_mismatch" | "presence_full";

export type Result<T, E extends string = PresenceError> =
  | { ok: true; value: T }
  | { ok: false; error: E };

export interface JoinResult {
  counts: PresenceCounts;
  leaseId: string;
  /** False when an existing session was refreshed (a repeated join). */
  created: boolean;
}

export interface MoveResult {
  from: PresenceCounts;
  to: PresenceCounts;
  leaseId: string;
  /** False when the session was already in the target scope (a replayed move). */
  moved: boolean;
}

export type LeaveResult =
  | { mode: "lifecycle_v2"; removed: boolean; counts: PresenceCounts }
  | { mode: "legacy_heartbeat"; removed: false };

export interface EditResult {
  /** False when the client has no session: a write from a script is not a viewer. */
  counted: boolean;
  counts: PresenceCounts | null;
}

/** One person present anywhere in the gallery (the people list). */
export interface PersonHere {
  /** The person id its tabs carry (with access control on: the session's), or null for a tab that sent none. */
  personId: string | null;
  name: string | null;
  /** The folder of its most recently seen tab. */
  scope: string;
  /** Other folders its other tabs are in. */
  otherScopes: string[];
  tabs: number;
  /** Wrote within edit_ttl from the folder its tab is in. */
  editing: boolean;
}

/** What the people list reads of a tab (the tracker's sessions, or the shared ones in Redis). */
export interface SessionView {
  person: string;
  name: string | null;
  namedAt: number;
  scope: string;
  lastSeen: number;
  edit: { at: number; scope: string } | null;
}

/** One row per person present: its latest tab's folder, its newest name, its tabs, whether it edits. */
export function peopleOf(
  all: Iterable<SessionView>,
  now: number,
  viewTtlMs: number,
  editTtlMs: number,
): PersonHere[] {
  const byPerson = new Map<string, SessionView[]>();
  for (const s of all) {
    if (now - s.lastSeen >= viewTtlMs) continue;
    const list = byPerson.get(s.person);
    if (list) list.push(s);
    else byPerson.set(s.person, [s]);
  }
  const out: PersonHere[] = [];
  for (const [person, sessions] of byPerson) {
    sessions.sort((a, b) => b.lastSeen - a.lastSeen);
    const named = sessions.filter((s) => s.name).sort((a, b) => b.namedAt - a.namedAt)[0];
    const scope = sessions[0]!.scope;
    out.push({
      personId: person.startsWith("p:") ? person.slice(2) : null,
      name: named?.name ?? null,
      scope,
      otherScopes: [...new Set(sessions.map((s) => s.scope))].filter((x) => x !== scope),
      tabs: sessions.length,
      editing: sessions.some(
        (s) => s.edit !== null && s.edit.scope === s.scope && now - s.edit.at < editTtlMs,
      ),
    });
  }
  return out.sort((a, b) => collator.compare(a.name ?? "", b.name ?? ""));
}

export interface TrackerStats {
  lifecycle_v2_enabled: boolean;
  active_clients: number;
  active_scopes: number;
  stale_pruned_total: number;
  invalid_lease_total: number;
  scope_mismatch_total: number;
  max_sessions: number;
  presence_full_total: number;
}

export interface TrackerOptions {
  viewTtlMs?: number;
  editTtlMs?: number;
  /** False = legacy heartbeat-only presence (`--no-presence-lifecycle-v2`). */
  lifecycleV2?: boolean;
  maxSessions?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  newLeaseId?: () => string;
}

export type ChangeListener = (changed: PresenceCounts[]) => void;

interface Session {
  clientId: string;
  /** `p:<person id>`, or `s:<client id>` for a client that sent none (it counts as a person of its own). */
  person: string;
  /** When its name was last set or changed (a counter): a person is named by its latest. */
  namedAt: number;
  scope: string;
  /** null = created by a legacy heartbeat in lifecycle-v2 mode; no one holds a lease. */
  leaseId: string | null;
  name: string | null;
  lastSeen: number;
  /** The last accepted write and the scope it was made from. */
  edit: { at: number; scope: string } | null;
}

function randomLeaseId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Buffer.from(bytes).toString("base64url");
}

function countsKey(c: PresenceCounts): string {
  return `${c.viewing}|${c.editing}|${c.sessions}|${c.names.join("\u0000")}`;
}

/** The key of an empty scope: what listeners implicitly know about any scope they never heard of. */
const EMPTY_KEY = "0|0|0|";

function personKey(clientId: string, personId: string | null | undefined): string {
  return personId ? `p:${personId}` : `s:${clientId}`;
}

const collator = new Intl.Collator("en");

export class PresenceTracker {
  readonly viewTtlMs: number;
  readonly editTtlMs: number;
  readonly lifecycleV2: boolean;
  readonly maxSessions: number;
  private readonly now: () => number;
  private readonly newLeaseId: () => string;
  private readonly byClient = new Map<string, Session>();
  private readonly byScope = new Map<string, Set<Session>>();
  /** What listeners were last told per scope; absent = all zero. */
  private readonly published = new Map<string, string>();
  private readonly listeners = new Set<ChangeListener>();
  private stalePrunedTotal = 0;
  private invalidLeaseTotal = 0;
  private scopeMismatchTotal = 0;
  private presenceFullTotal = 0;
  private nameCounter = 0;

  constructor(opts: TrackerOptions = {}) {
    this.viewTtlMs = opts.viewTtlMs ?? DEFAULT_VIEW_TTL_MS;
    this.editTtlMs = opts.editTtlMs ?? DEFAULT_EDIT_TTL_MS;
    this.lifecycleV2 = opts.lifecycleV2 ?? true;
    this.maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.now = opts.now ?? (() => performance.now());
    this.newLeaseId = opts.newLeaseId ?? randomLeaseId;
  }

  /** Hear every change of a scope's numbers or names, in order. */
  onChange(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Enter `galleryId`. A new session gets a new lease. An existing one is
   * refreshed (and moved to `galleryId`) only by its lease holder: anyone else
   * gets `invalid_lease` and nothing changes.
   */
  join(
    galleryId: string,
    clientId: string,
    name?: string | null,
    leaseId?: string | null,
    personId?: string | null,
  ): Result<JoinResult> {
    const now = this.now();
    const touched = new Set<string>([galleryId]);
    let session = this.liveSession(clientId, now, touched);
    const created = !session;
    if (!session && !this.hasRoom(now, touched)) return this.full(touched, now);
    if (!this.lifecycleV2) {
      session = this.heartbeatSession(galleryId, clientId, name, personId, now, touched);
      session.leaseId ??= this.newLeaseId();
    } else if (!session) {
      session = this.insert(galleryId, clientId, this.newLeaseId(), name, personId, now);
    } else if (session.leaseId === null) {
      // A heartbeat-made session has no holder to protect: the joiner adopts it.
      session.leaseId = this.newLeaseId();
      this.refresh(session, galleryId, name, personId, now, touched);
    } else if (session.leaseId !== leaseId) {
      this.flush(touched, now);
      return this.fail("invalid_lease");
    } else {
      this.refresh(session, galleryId, name, personId, now, touched);
    }
    this.flush(touched, now);
    return {
      ok: true,
      value: { counts: this.countsAt(galleryId, now), leaseId: session.leaseId!, created },
    };
  }

  /** Move the lease holder's session from `from` to `to`; replaying a finished move is fine. */
  move(from: string, to: string, clientId: string, leaseId: string): Result<MoveResult> {
    const now = this.now();
    const touched = new Set<string>([from, to]);
    if (!this.lifecycleV2) {
      if (!this.liveSession(clientId, now, touched) && !this.hasRoom(now, touched))
        return this.full(touched, now);
      const session = this.heartbeatSession(to, clientId, null, null, now, touched);
      session.leaseId ??= this.newLeaseId();
      this.flush(touched, now);
      return { ok: true, value: this.moveResult(from, to, session.leaseId, true, now) };
    }
    const session = this.liveSession(clientId, now, touched);
    if (!session || session.leaseId === null || session.leaseId !== leaseId) {
      this.flush(touched, now);
      return this.fail("invalid_lease");
    }
    if (session.scope !== from && session.scope !== to) {
      this.flush(touched, now);
      this.scopeMismatchTotal++;
      return { ok: false, error: "scope_mismatch" };
    }
    const moved = session.scope !== to;
    this.refresh(session, to, undefined, undefined, now, touched);
    this.flush(touched, now);
    return { ok: true, value: this.moveResult(from, to, leaseId, moved, now) };
  }

  /**
   * Remove the lease holder's session, wherever it is (the lease proves who
   * asks; `galleryId` only names the scope whose counts are answered when
   * nothing was there to remove). A second leave answers `removed: false`.
   */
  leave(galleryId: string, clientId: string, leaseId: string): Result<LeaveResult> {
    if (!this.lifecycleV2) return { ok: true, value: { mode: "legacy_heartbeat", removed: false } };
    const now = this.now();
    const touched = new Set<string>([galleryId]);
    const session = this.liveSession(clientId, now, touched);
    if (!session) {
      this.flush(touched, now);
      return {
        ok: true,
        value: { mode: "lifecycle_v2", removed: false, counts: this.countsAt(galleryId, now) },
      };
    }
    if (session.leaseId === null || session.leaseId !== leaseId) {
      this.flush(touched, now);
      return this.fail("invalid_lease");
    }
    this.remove(session);
    touched.add(session.scope);
    this.flush(touched, now);
    return {
      ok: true,
      value: { mode: "lifecycle_v2", removed: true, counts: this.countsAt(session.scope, now) },
    };
  }

  /**
   * Legacy `POST /presence`: "I am in `galleryId`". Creates or refreshes an
   * unleased session. A leased session belongs to its holder, so a heartbeat
   * cannot move it or keep it alive (`invalid_lease`).
   */
  heartbeat(
    galleryId: string,
    clientId: string,
    name?: string | null,
    personId?: string | null,
  ): Result<PresenceCounts> {
    const now = this.now();
    const touched = new Set<string>([galleryId]);
    const existing = this.liveSession(clientId, now, touched);
    if (this.lifecycleV2 && existing && existing.leaseId !== null) {
      this.flush(touched, now);
      return this.fail("invalid_lease");
    }
    if (!existing && !this.hasRoom(now, touched)) return this.full(touched, now);
    this.heartbeatSession(galleryId, clientId, name, personId, now, touched);
    this.flush(touched, now);
    return { ok: true, value: this.countsAt(galleryId, now) };
  }

  /**
   * Called after an accepted label write. The session counts as editing in
   * the scope it wrote from, for edit_ttl, and only while it is in that scope
   * (so editing ≤ viewing there). A write also proves the tab is alive.
   */
  touchEdit(clientId: string, galleryId?: string | null): EditResult {
    const now = this.now();
    const touched = new Set<string>();
    const session = this.liveSession(clientId, now, touched);
    if (!session) {
      this.flush(touched, now);
      return { counted: false, counts: null };
    }
    const scope = galleryId ?? session.scope;
    session.edit = { at: now, scope };
    session.lastSeen = now;
    touched.add(session.scope);
    this.flush(touched, now);
    return { counted: scope === session.scope, counts: this.countsAt(session.scope, now) };
  }

  /**
   * Drop sessions unseen for view_ttl and notice edits older than edit_ttl;
   * returns (and tells listeners) every scope whose numbers changed.
   */
  prune(now: number = this.now()): PresenceCounts[] {
    const touched = new Set<string>(this.published.keys());
    this.dropStale(now, touched);
    return this.flush(touched, now);
  }

  /** Current numbers of one scope (all zero for an empty or unknown scope). */
  counts(galleryId: string): PresenceCounts {
    return this.countsAt(galleryId, this.now());
  }

  /** Everyone present, in any folder, one entry per person (named by its latest name), by name. */
  people(): PersonHere[] {
    return peopleOf(this.byClient.values(), this.now(), this.viewTtlMs, this.editTtlMs);
  }

  /**
   * A person was renamed elsewhere (PATCH /access/me): every tab of it takes the name now, and the
   * scopes they are in hear it, instead of at each tab's next heartbeat.
   */
  renamePerson(personId: string, name: string): void {
    const now = this.now();
    const key = personKey("", personId);
    const touched = new Set<string>();
    for (const s of this.byClient.values()) {
      if (s.person !== key || s.name === name) continue;
      s.name = name;
      s.namedAt = ++this.nameCounter;
      touched.add(s.scope);
    }
    this.flush(touched, now);
  }

  /** The scope a client's session is in, or null. */
  scopeOf(clientId: string): string | null {
    return this.byClient.get(clientId)?.scope ?? null;
  }

  /** Every non-empty scope with its numbers (diagnostics, tests). */
  snapshot(): PresenceCounts[] {
    const now = this.now();
    return [...this.byScope.keys()].sort().map((scope) => this.countsAt(scope, now));
  }

  diagnostics(): TrackerStats {
    return {
      lifecycle_v2_enabled: this.lifecycleV2,
      active_clients: this.byClient.size,
      active_scopes: this.byScope.size,
      stale_pruned_total: this.stalePrunedTotal,
      invalid_lease_total: this.invalidLeaseTotal,
      scope_mismatch_total: this.scopeMismatchTotal,
      max_sessions: this.maxSessions,
      presence_full_total: this.presenceFullTotal,
    };
  }

  /** Room for one more session, after dropping stale ones if the table is full. */
  private hasRoom(now: number, touched: Set<string>): boolean {
    if (this.byClient.size < this.maxSessions) return true;
    this.dropStale(now, touched);
    return this.byClient.size < this.maxSessions;
  }

  private dropStale(now: number, touched: Set<string>): void {
    for (const session of this.byClient.values()) {
      if (now - session.lastSeen >= this.viewTtlMs) {
        this.remove(session);
        this.stalePrunedTotal++;
        touched.add(session.scope);
      }
    }
  }

  /** Refuse a new session; the live ones keep theirs (nobody is evicted to make room). */
  private full(touched: Set<string>, now: number): { ok: false; error: "presence_full" } {
    this.flush(touched, now);
    this.presenceFullTotal++;
    return { ok: false, error: "presence_full" };
  }

  private fail(error: "invalid_lease"): { ok: false; error: "invalid_lease" } {
    this.invalidLeaseTotal++;
    return { ok: false, error };
  }

  /** The client's session, unless it has gone stale, in which case it is pruned here. */
  private liveSession(clientId: string, now: number, touched: Set<string>): Session | null {
    const session = this.byClient.get(clientId);
    if (!session) return null;
    if (now - session.lastSeen < this.viewTtlMs) return session;
    this.remove(session);
    this.stalePrunedTotal++;
    touched.add(session.scope);
    return null;
  }

  private heartbeatSession(
    galleryId: string,
    clientId: string,
    name: string | null | undefined,
    personId: string | null | undefined,
    now: number,
    touched: Set<string>,
  ): Session {
    const session = this.liveSession(clientId, now, touched);
    if (!session) {
      const leaseId = this.lifecycleV2 ? null : this.newLeaseId();
      return this.insert(galleryId, clientId, leaseId, name, personId, now);
    }
    this.refresh(session, galleryId, name, personId, now, touched);
    return session;
  }

  private insert(
    scope: string,
    clientId: string,
    leaseId: string | null,
    name: string | null | undefined,
    personId: string | null | undefined,
    now: number,
  ): Session {
    const session: Session = {
      clientId,
      person: personKey(clientId, personId),
      namedAt: name ? ++this.nameCounter : 0,
      scope,
      leaseId,
      name: name ?? null,
      lastSeen: now,
      edit: null,
    };
    this.byClient.set(clientId, session);
    this.addToScope(session);
    return session;
  }

  private refresh(
    session: Session,
    scope: string,
    name: string | null | undefined,
    personId: string | null | undefined,
    now: number,
    touched: Set<string>,
  ): void {
    touched.add(session.scope);
    if (session.scope !== scope) {
      this.removeFromScope(session);
      session.scope = scope;
      this.addToScope(session);
    }
    // A rename is the person's newest name, whichever of its tabs made it (the others follow it).
    if (name && name !== session.name) {
      session.name = name;
      session.namedAt = ++this.nameCounter;
    }
    if (personId) session.person = personKey(session.clientId, personId);
    session.lastSeen = now;
  }

  private remove(session: Session): void {
    if (this.byClient.get(session.clientId) === session) this.byClient.delete(session.clientId);
    this.removeFromScope(session);
  }

  private addToScope(session: Session): void {
    let set = this.byScope.get(session.scope);
    if (!set) {
      set = new Set();
      this.byScope.set(session.scope, set);
    }
    set.add(session);
  }

  private removeFromScope(session: Session): void {
    const set = this.byScope.get(session.scope);
    if (!set) return;
    set.delete(session);
    if (set.size === 0) this.byScope.delete(session.scope);
  }

  private countsAt(galleryId: string, now: number): PresenceCounts {
    const sessions = this.byScope.get(galleryId);
    if (!sessions) return { gallery_id: galleryId, viewing: 0, editing: 0, names: [], sessions: 0 };
    const editors = new Set<string>();
    /** Per person, its most recently named session here. */
    const named = new Map<string, Session | null>();
    for (const s of sessions) {
      if (s.edit && s.edit.scope === galleryId && now - s.edit.at < this.editTtlMs)
        editors.add(s.person);
      const best = named.get(s.person);
      if (best === undefined || (s.name && (!best || s.namedAt > best.namedAt)))
        named.set(s.person, s.name ? s : (best ?? null));
    }
    const names = new Set<string>();
    for (const s of named.values()) if (s?.name) names.add(s.name);
    return {
      gallery_id: galleryId,
      viewing: named.size,
      editing: editors.size,
      names: [...names].sort(collator.compare).slice(0, MAX_NAMES),
      sessions: sessions.size,
    };
  }

  private moveResult(
    from: string,
    to: string,
    leaseId: string,
    moved: boolean,
    now: number,
  ): MoveResult {
    return { from: this.countsAt(from, now), to: this.countsAt(to, now), leaseId, moved };
  }

  /** Tell listeners about each touched scope whose numbers differ from what they last heard. */
  private flush(scopes: Iterable<string>, now: number): PresenceCounts[] {
    const changed: PresenceCounts[] = [];
    for (const scope of scopes) {
      const counts = this.countsAt(scope, now);
      const key = countsKey(counts);
      const before = this.published.get(scope) ?? EMPTY_KEY;
      if (key === before) continue;
      if (counts.viewing === 0) this.published.delete(scope);
      else this.published.set(scope, key);
      changed.push(counts);
    }
    if (changed.length) for (const fn of this.listeners) fn(changed);
    return changed;
  }
}
