/** The pure parts of access control: roles, secrets, invites, sessions, tokens, the limiter, revocations. */
import { describe, expect, test } from "bun:test";
import { FailureLimiter } from "../../src/access/rate-limit.ts";
import { type AccessState, inviteRefusal, parseDuration } from "../../src/access/records.ts";
import { Revocations } from "../../src/access/revocations.ts";
import { atLeast, Capability, can, mayGrant, ROLES, Role } from "../../src/access/roles.ts";
import {
  hashSecret,
  newSecret,
  parseCredential,
  sameDigest,
  secretMatches,
} from "../../src/access/secrets.ts";
import { AccessStore } from "../../src/access/store.ts";

function memoryPersistence() {
  let saved: AccessState | null = null;
  let saves = 0;
  let failNext = false;
  return {
    load: () => (saved ? structuredClone(saved) : null),
    save(s: AccessState) {
      if (failNext) {
        failNext = false;
        throw new Error("disk full");
      }
      saves++;
      saved = structuredClone(s);
    },
    get saves() {
      return saves;
    },
    failOnce() {
      failNext = true;
    },
    get state() {
      return saved;
    },
  };
}

describe("A4 roles and permissions", () => {
  test("A4 roles are ordered viewer < rater < admin < owner", () => {
    expect(ROLES).toEqual(["viewer", "rater", "admin", "owner"]);
    expect(atLeast(Role.rater, Role.viewer)).toBe(true);
    expect(atLeast(Role.viewer, Role.rater)).toBe(false);
    expect(atLeast(Role.owner, Role.admin)).toBe(true);
  });
  test("A4 viewer browses, rater labels, admin manages access", () => {
    expect(can(Role.viewer, Capability.browse)).toBe(true);
    expect(can(Role.viewer, Capability.export)).toBe(true);
    expect(can(Role.viewer, Capability.label)).toBe(false);
    expect(can(Role.rater, Capability.label)).toBe(true);
    expect(can(Role.rater, Capability.manageAccess)).toBe(false);
    expect(can(Role.admin, Capability.manageAccess)).toBe(true);
  });
  test("A4 an admin grants its role or less, nobody grants owner", () => {
    expect(mayGrant(Role.admin, Role.admin)).toBe(true);
    expect(mayGrant(Role.admin, Role.viewer)).toBe(true);
    expect(mayGrant(Role.admin, Role.owner)).toBe(false);
    expect(mayGrant(Role.owner, Role.owner)).toBe(false);
    expect(mayGrant(Role.rater, Role.viewer)).toBe(false);
  });
});

describe("A3 secrets", () => {
  test("A3 a secret carries 256 random bits, base64url", () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const seen = new Set(Array.from({ length: 1000 }, newSecret));
    expect(seen.size).toBe(1000);
  });
  test("A3 only the SHA-256 is kept and compared in constant time", () => {
    const s = newSecret();
    const h = hashSecret(s);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(s);
    expect(secretMatches(s, h)).toBe(true);
    expect(secretMatches(`${s}x`, h)).toBe(false);
    expect(sameDigest(h, h.slice(0, 62))).toBe(false);
    expect(sameDigest("", "")).toBe(false);
  });
  test("A3 a credential is <id>.<secret>; anything else is refused without lookup", () => {
    expect(parseCredential("inv_abcdefghijkl.abcdefghijklmnopqrstuvwxyz")).toEqual({
      id: "inv_abcdefghijkl",
      secret: "abcdefghijklmnopqrstuvwxyz",
    });
    for (const bad of [
      "",
      "nope",
      "inv_x.y",
      "inv_abcdefghijkl",
      "a.b.c",
      "inv_abcdefghijkl.short",
    ]) {
      expect(parseCredential(bad)).toBeNull();
    }
  });
});

describe("A5 invites", () => {
  test("A5 an invite expires, runs out of uses, and stops when revoked", () => {
    let now = 1_000_000;
    const store = new AccessStore({ now: () => now });
    const { credential, invite } = store.createInvite("per_admin", {
      role: "rater",
      expires_in: 3600,
      uses: 2,
    });
    expect(inviteRefusal(invite, now)).toBeNull();
    expect(store.redeemInvite(credential, "Ana").ok).toBe(true);
    expect(store.redeemInvite(credential, "Bo").ok).toBe(true);
    expect(store.redeemInvite(credential, "Cy")).toEqual({ ok: false, reason: "used_up" });

    const b = store.createInvite("per_admin", { role: "viewer", expires_in: 60 });
    now += 60_000;
    expect(store.redeemInvite(b.credential, "Dee")).toEqual({ ok: false, reason: "expired" });

    const c = store.createInvite("per_admin", { role: "viewer" });
    store.revokeInvite(c.invite.id);
    expect(store.redeemInvite(c.credential, "Eve")).toEqual({ ok: false, reason: "revoked" });
    expect(store.checkInvite(`${c.invite.id}.${newSecret()}`)).toEqual({
      ok: false,
      reason: "guess",
    });
  });

  test("A5 a session is bound to the invite's role and the chosen name, with its own person id", () => {
    const store = new AccessStore();
    const { credential } = store.createInvite("per_admin", { role: "rater" });
    const r1 = store.redeemInvite(credential, "Ana");
    const r2 = store.redeemInvite(credential, "Bo");
    if (!r1.ok || !r2.ok) throw new Error("redeem failed");
    const p = store.authenticateSession(r1.cookie);
    expect(p).toMatchObject({
      ok: true,
      principal: { name: "Ana", role: "rater", kind: "session" },
    });
    expect(r1.session.person_id).not.toBe(r2.session.person_id);
  });

  test("A2 the owner link is multi-use, one owner person, replaced at the next start", () => {
    const store = new AccessStore();
    const link1 = store.issueOwnerLink();
    const a = store.redeemOwnerLink(link1);
    const b = store.redeemOwnerLink(link1);
    if (!a.ok || !b.ok) throw new Error("owner link refused");
    expect(a.session.role).toBe("owner");
    expect(a.session.person_id).toBe(b.session.person_id);
    const link2 = store.issueOwnerLink();
    expect(store.redeemOwnerLink(link1)).toEqual({ ok: false, reason: "revoked" });
    expect(store.redeemOwnerLink(link2).ok).toBe(true);
    // An owner link is not an invite and an invite is not an owner link.
    expect(store.redeemInvite(link2, "X")).toEqual({ ok: false, reason: "wrong_kind" });
    const inv = store.createInvite("x", { role: "admin" });
    expect(store.redeemOwnerLink(inv.credential)).toEqual({ ok: false, reason: "wrong_kind" });
  });
});

describe("A7 revocation", () => {
  test("A7 a revoked session or token fails at once and its listeners hear it", () => {
    const store = new AccessStore();
    const r = store.redeemOwnerLink(store.issueOwnerLink());
    if (!r.ok) throw new Error("x");
    let heard = 0;
    store.revocations.on(r.session.id, () => heard++);
    expect(store.revokeSession(r.session.id)).toBe(true);
    expect(heard).toBe(1);
    expect(store.authenticateSession(r.cookie)).toEqual({ ok: false, reason: "revoked" });

    const t = store.createToken("x", { name: "script", role: "rater" });
    expect(store.authenticateToken(t.credential)).toMatchObject({
      ok: true,
      principal: { kind: "token", name: "script", role: "rater", personId: t.token.id },
    });
    store.revokeToken(t.token.id);
    expect(store.authenticateToken(t.credential)).toEqual({ ok: false, reason: "revoked" });
    expect(store.revokeToken("tok_nope")).toBe(false);
  });

  test("A7 revoking an invite with end_sessions ends the sessions made through it", () => {
    const store = new AccessStore();
    const inv = store.createInvite("x", { role: "viewer" });
    const r = store.redeemInvite(inv.credential, "Ana");
    if (!r.ok) throw new Error("x");
    store.revokeInvite(inv.invite.id, false);
    expect(store.authenticateSession(r.cookie).ok).toBe(true);
    store.revokeInvite(inv.invite.id, true);
    expect(store.authenticateSession(r.cookie)).toEqual({ ok: false, reason: "revoked" });
  });

  test("A6 --reset-access ends every credential and notifies", () => {
    const store = new AccessStore();
    const r = store.redeemOwnerLink(store.issueOwnerLink());
    const t = store.createToken("x", { name: "s", role: "viewer" });
    if (!r.ok) throw new Error("x");
    const heard: string[] = [];
    store.revocations.on(r.session.id, () => heard.push("session"));
    store.revocations.on(t.token.id, () => heard.push("token"));
    const oldInstance = store.instanceId;
    store.resetAll();
    expect(heard.sort()).toEqual(["session", "token"]);
    expect(store.authenticateSession(r.cookie).ok).toBe(false);
    expect(store.authenticateToken(t.credential).ok).toBe(false);
    expect(store.instanceId).not.toBe(oldInstance);
  });

  test("Revocations: unsubscribe, once only, a throwing listener does not stop others", () => {
    const hub = new Revocations();
    let a = 0;
    let b = 0;
    const off = hub.on("x", () => a++);
    hub.on("x", () => {
      throw new Error("boom");
    });
    hub.on("x", () => b++);
    off();
    hub.emit("x");
    hub.emit("x");
    expect([a, b, hub.size]).toEqual([0, 1, 0]);
  });
});

describe("A15 persistence through the port", () => {
  test("A15 every change is saved; a failed save leaves memory unchanged", () => {
    const p = memoryPersistence();
    const store = new AccessStore({ persistence: p });
    const inv = store.createInvite("x", { role: "rater" });
    expect(p.saves).toBe(1);
    p.failOnce();
    expect(() => store.redeemInvite(inv.credential, "Ana")).toThrow("disk full");
    expect(store.listSessions()).toHaveLength(0);
    expect(store.listInvites()[0].uses).toBe(0);
    const r = store.redeemInvite(inv.credential, "Ana");
    expect(r.ok).toBe(true);
    // A new store on the same saved state knows the session, not the secret.
    const again = new AccessStore({ persistence: p });
    if (!r.ok) throw new Error("x");
    expect(again.authenticateSession(r.cookie)).toMatchObject({ ok: true });
    expect(JSON.stringify(p.state)).not.toContain(r.cookie.split(".")[1]);
  });
});

describe("A11 failed-attempt limiter", () => {
  test("A11 after N failures in the window the address waits; others do not", () => {
    let now = 0;
    const lim = new FailureLimiter({ maxFailures: 3, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(lim.check("1.2.3.4").ok).toBe(true);
      lim.fail("1.2.3.4");
      now += 1000;
    }
    expect(lim.check("1.2.3.4")).toEqual({ ok: false, retryAfterS: 7 });
    expect(lim.check("5.6.7.8").ok).toBe(true);
    now = 10_001;
    expect(lim.check("1.2.3.4").ok).toBe(true);
  });
  test("A11 memory is bounded by maxAddresses", () => {
    const lim = new FailureLimiter({ maxAddresses: 100 });
    for (let i = 0; i < 1000; i++) lim.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(lim.tracked).toBe(100);
  });
});

test("durations: 7d, 12h, 30m, 90s", () => {
  expect(parseDuration("7d")).toBe(7 * 86400);
  expect(parseDuration("12h")).toBe(43200);
  expect(parseDuration("30m")).toBe(1800);
  expect(parseDuration("90s")).toBe(90);
  expect(parseDuration("7 days")).toBeNull();
});
