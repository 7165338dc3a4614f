/**
 * AccessStore: invites, sessions and API tokens, in memory, persisted through
 * a port (access.json, or nothing for memory-only). Every change is saved
 * before it is answered; a save that fails leaves memory as it was. Revoking
 * tells the Revocations hub, so open streams of that credential close at once.
 */
import type { AccessPersistence } from "./access-file.ts";
import {
  ACCESS_FILE_VERSION,
  type AccessState,
  type ApiToken,
  type CreateInviteBody,
  type CreateTokenBody,
  type Invite,
  type InviteRefusal,
  inviteRefusal,
  type Session,
} from "./records.ts";
import { Revocations } from "./revocations.ts";
import { type Role, Role as Roles } from "./roles.ts";
import {
  formatCredential,
  hashSecret,
  newId,
  newSecret,
  parseCredential,
  secretMatches,
} from "./secrets.ts";

/** Who a request is, once its credential checked out. */
export interface Principal {
  kind: "session" | "token";
  /** The session or token id: what revocation names. */
  credentialId: string;
  /** Stable person id (for a token: the token id). */
  personId: string;
  name: string;
  role: Role;
}

export type AuthResult =
  | { ok: true; principal: Principal }
  /** `guess`: no such credential (counts toward the rate limit); `revoked`: it was real but ended. */
  | { ok: false; reason: "guess" | "revoked" };

export type RedeemRefusal = "guess" | InviteRefusal | "wrong_kind";
export type RedeemResult =
  | { ok: true; session: Session; cookie: string }
  | { ok: false; reason: RedeemRefusal };

export const OWNER_NAME = "Owner";
/** created_by of the command line's key (issueLocalKey). */
export const LOCAL_KEY_CREATOR = "start";
/** A session's last-seen time is saved when it moved by more than this (not on every request). */
const LAST_SEEN_SAVE_MS = 10 * 60_000;
/** Revoked records are listed for this long, then dropped from the file. */
const KEEP_REVOKED_MS = 30 * 86400_000;

export interface AccessStoreOptions {
  persistence?: AccessPersistence | null;
  now?: () => number;
  revocations?: Revocations;
}

export class AccessStore {
  readonly revocations: Revocations;
  private readonly persistence: AccessPersistence | null;
  private readonly now: () => number;
  private state: AccessState;
  private invites = new Map<string, Invite>();
  private sessions = new Map<string, Session>();
  private tokens = new Map<string, ApiToken>();
  private savedLastSeen = new Map<string, number>();
  /** The persistence's stamp of what memory holds (another process's save changes it). */
  private stamp: string | null = null;
  private readonly renameListeners = new Set<(personId: string, name: string) => void>();

  constructor(opts: AccessStoreOptions = {}) {
    this.persistence = opts.persistence ?? null;
    this.now = opts.now ?? Date.now;
    this.revocations = opts.revocations ?? new Revocations();
    this.stamp = this.persistence?.stamp?.() ?? null;
    const loaded = this.persistence?.load() ?? null;
    this.state = loaded ?? freshState();
    this.index(this.state);
    this.dropOldRevoked();
  }

  /**
   * Reads the file again when another process saved it since (several processes
   * on one workspace): a session or token it revoked ends here too, at once.
   */
  private sync(): void {
    const stamp = this.persistence?.stamp?.();
    if (stamp === undefined || stamp === this.stamp) return;
    const loaded = this.persistence?.load() ?? null;
    this.stamp = stamp;
    if (!loaded) return;
    const live = new Set(
      [...this.sessions.values(), ...this.tokens.values()]
        .filter((r) => r.revoked_at === null)
        .map((r) => r.id),
    );
    this.state = loaded;
    this.index(loaded);
    for (const r of [...this.sessions.values(), ...this.tokens.values()])
      if (r.revoked_at !== null && live.has(r.id)) this.revocations.emit(r.id);
  }

  get instanceId(): string {
    return this.state.instance_id;
  }

  /** Revokes the previous owner link and makes a fresh one (printed at every start). */
  issueOwnerLink(): string {
    return this.mutate(() => {
      const t = this.now();
      for (const inv of this.invites.values()) {
        if (inv.kind === "owner-link" && inv.revoked_at === null) inv.revoked_at = t;
      }
      const { invite, credential } = makeInvite("owner-link", Roles.owner, "start", t, {});
      this.invites.set(invite.id, invite);
      return credential;
    });
  }

  createInvite(createdBy: string, body: CreateInviteBody): { invite: Invite; credential: string } {
    return this.mutate(() => {
      const made = makeInvite("invite", body.role, createdBy, this.now(), body);
      this.invites.set(made.invite.id, made.invite);
      return made;
    });
  }

  /** The invite a link names, if it may be redeemed now (for the name page; consumes nothing). */
  checkInvite(text: string): { ok: true; invite: Invite } | { ok: false; reason: RedeemRefusal } {
    this.sync();
    const cred = parseCredential(text);
    const inv = cred ? this.invites.get(cred.id) : undefined;
    if (!cred || !inv || !secretMatches(cred.secret, inv.hash))
      return { ok: false, reason: "guess" };
    const refusal = inviteRefusal(inv, this.now());
    return refusal ? { ok: false, reason: refusal } : { ok: true, invite: inv };
  }

  /** The owner link (`?token=`) → a session of the owner person. */
  redeemOwnerLink(text: string): RedeemResult {
    const checked = this.checkInvite(text);
    if (!checked.ok) return checked;
    if (checked.invite.kind !== "owner-link") return { ok: false, reason: "wrong_kind" };
    return this.redeem(checked.invite, OWNER_NAME, this.state.owner_person_id);
  }

  /** An invite link plus the name its person chose → a session bound to that name. */
  redeemInvite(text: string, name: string): RedeemResult {
    const checked = this.checkInvite(text);
    if (!checked.ok) return checked;
    if (checked.invite.kind !== "invite") return { ok: false, reason: "wrong_kind" };
    return this.redeem(checked.invite, name, newId("per"));
  }

  authenticateSession(text: string | undefined | null): AuthResult {
    this.sync();
    const cred = parseCredential(text);
    const s = cred ? this.sessions.get(cred.id) : undefined;
    if (!cred || !s || !secretMatches(cred.secret, s.hash)) return { ok: false, reason: "guess" };
    if (s.revoked_at !== null) return { ok: false, reason: "revoked" };
    this.seen(s);
    return {
      ok: true,
      principal: {
        kind: "session",
        credentialId: s.id,
        personId: s.person_id,
        name: s.name,
        role: s.role,
      },
    };
  }

  authenticateToken(text: string | undefined | null): AuthResult {
    this.sync();
    const cred = parseCredential(text);
    const t = cred ? this.tokens.get(cred.id) : undefined;
    if (!cred || !t || !secretMatches(cred.secret, t.hash)) return { ok: false, reason: "guess" };
    if (t.revoked_at !== null) return { ok: false, reason: "revoked" };
    t.last_used_at = this.now();
    return {
      ok: true,
      principal: { kind: "token", credentialId: t.id, personId: t.id, name: t.name, role: t.role },
    };
  }

  createToken(createdBy: string, body: CreateTokenBody): { token: ApiToken; credential: string } {
    return this.mutate(() => {
      const id = newId("tok");
      const secret = newSecret();
      const token: ApiToken = {
        id,
        hash: hashSecret(secret),
        name: body.name,
        role: body.role,
        created_at: this.now(),
        created_by: createdBy,
        last_used_at: null,
        revoked_at: null,
      };
      this.tokens.set(id, token);
      return { token, credential: formatCredential({ id, secret }) };
    });
  }

  /**
   * The key the command line uses to reach this server (`lenslet DIR --invite`): an
   * owner-role API token made at every start, the previous one revoked.
   */
  issueLocalKey(): string {
    let old: ApiToken[] = [];
    const out = this.mutate(() => {
      old = [...this.tokens.values()].filter(
        (tok) => tok.created_by === LOCAL_KEY_CREATOR && tok.revoked_at === null,
      );
      const t = this.now();
      for (const tok of old) tok.revoked_at = t;
      const id = newId("tok");
      const secret = newSecret();
      this.tokens.set(id, {
        id,
        hash: hashSecret(secret),
        name: "command line",
        role: Roles.owner,
        created_at: t,
        created_by: LOCAL_KEY_CREATOR,
        last_used_at: null,
        revoked_at: null,
      });
      return formatCredential({ id, secret });
    });
    for (const tok of old) this.revocations.emit(tok.id);
    return out;
  }

  /** Stops the link; with `endSessions`, also ends every session made through it. False if unknown. */
  revokeInvite(id: string, endSessions = false): boolean {
    this.sync();
    if (!this.invites.has(id)) return false;
    const ended: string[] = [];
    this.mutate(() => {
      const inv = this.invites.get(id);
      if (!inv) return;
      const t = this.now();
      if (inv.revoked_at === null) inv.revoked_at = t;
      if (endSessions) {
        for (const s of this.sessions.values()) {
          if (s.via.invite_id === id && s.revoked_at === null) {
            s.revoked_at = t;
            ended.push(s.id);
          }
        }
      }
    });
    for (const sid of ended) this.revocations.emit(sid);
    return true;
  }

  revokeSession(id: string): boolean {
    this.sync();
    const s = this.sessions.get(id);
    if (!s) return false;
    if (s.revoked_at === null) {
      this.mutate(() => {
        const cur = this.sessions.get(id);
        if (cur && cur.revoked_at === null) cur.revoked_at = this.now();
      });
    }
    this.revocations.emit(id);
    return true;
  }

  revokeToken(id: string): boolean {
    this.sync();
    const t = this.tokens.get(id);
    if (!t) return false;
    if (t.revoked_at === null) {
      this.mutate(() => {
        const cur = this.tokens.get(id);
        if (cur && cur.revoked_at === null) cur.revoked_at = this.now();
      });
    }
    this.revocations.emit(id);
    return true;
  }

  /** Renames a session's person (every session of that person id follows); listeners hear it once saved. */
  rename(sessionId: string, name: string): Session | null {
    this.sync();
    const s = this.sessions.get(sessionId);
    if (!s || s.revoked_at !== null) return null;
    this.mutate(() => {
      for (const other of this.sessions.values())
        if (other.person_id === s.person_id) other.name = name;
    });
    for (const fn of this.renameListeners) fn(s.person_id, name);
    return this.sessions.get(sessionId) ?? s;
  }

  /** Hear every rename (presence shows the new name at once). Returns the unsubscribe. */
  onRename(fn: (personId: string, name: string) => void): () => void {
    this.renameListeners.add(fn);
    return () => this.renameListeners.delete(fn);
  }

  /** The role a person id holds now (a live session of it, or an API token), or null. */
  personRole(personId: string): Role | null {
    if (personId === this.state.owner_person_id) return Roles.owner;
    const token = this.tokens.get(personId);
    if (token) return token.revoked_at === null ? token.role : null;
    for (const s of this.sessions.values())
      if (s.person_id === personId && s.revoked_at === null) return s.role;
    return null;
  }

  /** `--reset-access`: every invite, session and token ends; a new cookie name. */
  resetAll(): void {
    const ended = [...this.sessions.keys(), ...this.tokens.keys()];
    this.mutate(() => {
      this.state = freshState();
      this.index(this.state);
    });
    for (const id of ended) this.revocations.emit(id);
  }

  listInvites(): Invite[] {
    this.sync();
    return [...this.invites.values()];
  }
  listSessions(): Session[] {
    this.sync();
    return [...this.sessions.values()];
  }
  listTokens(): ApiToken[] {
    this.sync();
    return [...this.tokens.values()];
  }
  session(id: string): Session | undefined {
    this.sync();
    return this.sessions.get(id);
  }

  /** Saves what only lives in memory (last-seen times). Call at stop. */
  flush(): void {
    if (!this.persistence) return;
    this.saveLastSeen();
  }

  private redeem(checked: Invite, name: string, personId: string): RedeemResult {
    return this.mutate((): RedeemResult => {
      // The invite as the file holds it now: another process may have used or revoked it.
      const inv = this.invites.get(checked.id);
      const t = this.now();
      const refusal = inv ? inviteRefusal(inv, t) : "revoked";
      if (!inv || refusal) return { ok: false, reason: refusal ?? "revoked" };
      if (inv.uses_left !== null) inv.uses_left--;
      inv.uses++;
      const id = newId("ses");
      const secret = newSecret();
      const session: Session = {
        id,
        hash: hashSecret(secret),
        person_id: personId,
        name,
        role: inv.role,
        created_at: t,
        last_seen_at: t,
        revoked_at: null,
        via: { kind: inv.kind, invite_id: inv.id },
      };
      this.sessions.set(id, session);
      this.savedLastSeen.set(id, t);
      return { ok: true as const, session, cookie: formatCredential({ id, secret }) };
    });
  }

  private seen(s: Session): void {
    const t = this.now();
    s.last_seen_at = t;
    if (this.persistence && t - (this.savedLastSeen.get(s.id) ?? 0) > LAST_SEEN_SAVE_MS) {
      try {
        this.saveLastSeen();
      } catch {
        // Only a last-seen time: the next change saves it again.
      }
    }
  }

  /**
   * Applies `fn`, saves, and undoes it in memory when the save fails. Under the
   * file's lock and on its latest state, so two processes' changes never overwrite
   * each other. `fn` looks records up again by id (an earlier lookup may predate a reload).
   */
  private mutate<T>(fn: () => T): T {
    const run = () => {
      this.sync();
      const before = this.snapshot();
      try {
        const out = fn();
        this.save();
        return out;
      } catch (err) {
        this.state = before;
        this.index(before);
        throw err;
      }
    };
    return this.persistence?.exclusive ? this.persistence.exclusive(run) : run();
  }

  /**
   * Saves last-seen times on the file's latest state (under its lock): saving
   * memory as it is could undo what another process changed since (a revocation).
   */
  private saveLastSeen(): void {
    const seen = new Map([...this.sessions.values()].map((x) => [x.id, x.last_seen_at]));
    const run = () => {
      this.sync();
      for (const [id, at] of seen) {
        const cur = this.sessions.get(id);
        if (cur && at > cur.last_seen_at) cur.last_seen_at = at;
      }
      this.save();
    };
    if (this.persistence?.exclusive) this.persistence.exclusive(run);
    else run();
  }

  private snapshot(): AccessState {
    return structuredClone({
      ...this.state,
      invites: [...this.invites.values()],
      sessions: [...this.sessions.values()],
      tokens: [...this.tokens.values()],
    });
  }

  private save(): void {
    if (!this.persistence) return;
    const state = this.snapshot();
    this.persistence.save(state);
    this.stamp = this.persistence.stamp?.() ?? null;
    for (const s of state.sessions) this.savedLastSeen.set(s.id, s.last_seen_at);
  }

  private index(state: AccessState): void {
    this.invites = new Map(state.invites.map((i) => [i.id, i]));
    this.sessions = new Map(state.sessions.map((s) => [s.id, s]));
    this.tokens = new Map(state.tokens.map((t) => [t.id, t]));
    this.savedLastSeen = new Map(state.sessions.map((s) => [s.id, s.last_seen_at]));
  }

  private dropOldRevoked(): void {
    const cutoff = this.now() - KEEP_REVOKED_MS;
    const old = (r: { revoked_at: number | null }) =>
      r.revoked_at !== null && r.revoked_at < cutoff;
    for (const m of [this.invites, this.sessions, this.tokens] as Map<
      string,
      { revoked_at: number | null }
    >[]) {
      for (const [id, r] of m) if (old(r)) m.delete(id);
    }
  }
}

function freshState(): AccessState {
  return {
    version: ACCESS_FILE_VERSION,
    instance_id: newSecret().slice(0, 10),
    owner_person_id: newId("per"),
    invites: [],
    sessions: [],
    tokens: [],
  };
}

function makeInvite(
  kind: Invite["kind"],
  role: Role,
  createdBy: string,
  t: number,
  body: Partial<CreateInviteBody>,
): { invite: Invite; credential: string } {
  const id = newId("inv");
  const secret = newSecret();
  const invite: Invite = {
    id,
    hash: hashSecret(secret),
    kind,
    role,
    created_at: t,
    created_by: createdBy,
    expires_at: body.expires_in !== undefined ? t + body.expires_in * 1000 : null,
    uses_left: body.uses ?? null,
    uses: 0,
    revoked_at: null,
    note: body.note ?? null,
  };
  return { invite, credential: formatCredential({ id, secret }) };
}
