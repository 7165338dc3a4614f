/**
 * /access/…: who am I, the invite form's POST, and the admin API (invites,
 * sessions, API tokens) the Share dialog and scripts use. Thin over
 * AccessStore; the guard has already checked the role (route table).
 */
import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { AccessMode } from "../access/mode.ts";
import {
  CreateInviteBody,
  CreateTokenBody,
  EndSessionsQuery,
  JoinBody,
  publicInvite,
  publicSession,
  publicToken,
  RenameBody,
} from "../access/records.ts";
import { atLeast, type Capability, mayGrant, PERMISSIONS, type Role } from "../access/roles.ts";
import type { AccessRuntime } from "../access/runtime.ts";
import type { Principal } from "../access/store.ts";
import { clearSessionCookie, peerAddress, setSessionCookie } from "./access-guard.ts";
import { noAccessPage } from "./access-pages.tsx";
import { jsonError, validationError } from "./errors.ts";
import { jsonBody } from "./json-body.ts";

export interface AccessRouteDeps {
  mode: AccessMode;
  /** Present when mode is "token". */
  access?: AccessRuntime;
}

/** The link of a credential, on the origin the admin is using. */
export function linkFor(c: Context, param: "invite" | "token", credential: string): string {
  const u = new URL(c.req.url);
  return `${u.protocol}//${c.req.header("host") ?? u.host}/?${param}=${credential}`;
}

function capabilities(role: Role): Record<Capability, boolean> {
  const out = {} as Record<Capability, boolean>;
  for (const [cap, least] of Object.entries(PERMISSIONS)) {
    out[cap as Capability] = atLeast(role, least);
  }
  return out;
}

function parsedOr400<T>(c: Context, r: z.ZodSafeParseResult<T>): T | Response {
  return r.success ? r.data : validationError(c, r.error);
}

function me(c: Context): Principal {
  return c.get("principal");
}

export function accessRoutes(deps: AccessRouteDeps): Hono {
  const app = new Hono();

  app.get("/access/me", (c) => {
    c.header("Cache-Control", "no-store");
    if (!deps.access) {
      return c.json({ enabled: false, mode: deps.mode, principal: null });
    }
    const p = me(c);
    const session = p.kind === "session" ? deps.access.store.session(p.credentialId) : undefined;
    return c.json({
      enabled: true,
      mode: deps.mode,
      principal: {
        kind: p.kind,
        id: p.credentialId,
        person_id: p.personId,
        name: p.name,
        role: p.role,
        created_at: session?.created_at ?? null,
      },
      can: capabilities(p.role),
    });
  });

  // Everything below needs access control on.
  app.use("/access/*", async (c, next) => {
    if (c.req.path === "/access/me" && c.req.method === "GET") return next();
    if (!deps.access) {
      return jsonError(
        c,
        409,
        "access_off",
        `access control is off (--access ${deps.mode}); start Lenslet with --access token to use links and roles`,
      );
    }
    await next();
  });

  app.patch("/access/me", async (c) => {
    const rt = deps.access as AccessRuntime;
    const p = me(c);
    if (p.kind !== "session") {
      return jsonError(c, 400, "not_a_session", "an API token's name is set when it is created");
    }
    const body = await jsonBody(c, RenameBody);
    if (body instanceof Response) return body;
    const s = rt.store.rename(p.credentialId, body.name);
    if (!s) return jsonError(c, 401, "session_ended", "your session was ended");
    return c.json({ name: s.name, person_id: s.person_id });
  });

  app.post("/access/logout", (c) => {
    const rt = deps.access as AccessRuntime;
    const p = me(c);
    if (p.kind === "session") rt.store.revokeSession(p.credentialId);
    clearSessionCookie(c, rt);
    return c.json({ ended: p.kind === "session" });
  });

  // The invite form (form-encoded from the page, or JSON) → a session bound to the chosen name.
  app.post("/access/join", async (c) => {
    const rt = deps.access as AccessRuntime;
    const type = c.req.header("Content-Type") ?? "";
    const body = type.includes("application/json")
      ? await jsonBody(c, JoinBody)
      : parsedOr400(c, JoinBody.safeParse(await c.req.parseBody()));
    if (body instanceof Response) return body;
    const r = rt.store.redeemInvite(body.invite, body.name);
    if (!r.ok) {
      if (r.reason === "guess") rt.limiter.fail(peerAddress(c));
      return noAccessPage(c, r.reason, 401);
    }
    setSessionCookie(c, rt, r.cookie);
    c.header("Cache-Control", "no-store");
    return c.redirect("/", 303);
  });

  app.get("/access/invites", (c) => {
    const rt = deps.access as AccessRuntime;
    return c.json({ invites: rt.store.listInvites().map(publicInvite) });
  });

  app.post("/access/invites", async (c) => {
    const rt = deps.access as AccessRuntime;
    const body = await jsonBody(c, CreateInviteBody);
    if (body instanceof Response) return body;
    const p = me(c);
    if (!mayGrant(p.role, body.role)) {
      return jsonError(c, 403, "forbidden", `a ${p.role} cannot invite a ${body.role}`, {
        field: "role",
      });
    }
    const { invite, credential } = rt.store.createInvite(p.personId, body);
    return c.json({ invite: publicInvite(invite), link: linkFor(c, "invite", credential) }, 201);
  });

  app.delete("/access/invites/:id", (c) => {
    const rt = deps.access as AccessRuntime;
    const q = EndSessionsQuery.safeParse(c.req.query());
    if (!q.success) return validationError(c, q.error);
    const end = q.data.end_sessions === "1" || q.data.end_sessions === "true";
    if (!rt.store.revokeInvite(c.req.param("id"), end)) {
      return jsonError(c, 404, "not_found", `no invite ${c.req.param("id")}`);
    }
    return c.json({ revoked: c.req.param("id"), ended_sessions: end });
  });

  app.get("/access/sessions", (c) => {
    const rt = deps.access as AccessRuntime;
    const mine = me(c).credentialId;
    return c.json({
      sessions: rt.store
        .listSessions()
        .map((s) => ({ ...publicSession(s), current: s.id === mine })),
    });
  });

  app.delete("/access/sessions/:id", (c) => {
    const rt = deps.access as AccessRuntime;
    const id = c.req.param("id");
    const s = rt.store.session(id);
    if (!s) return jsonError(c, 404, "not_found", `no session ${id}`);
    if (!atLeast(me(c).role, s.role)) {
      return jsonError(c, 403, "forbidden", `a ${me(c).role} cannot end a ${s.role}'s session`);
    }
    rt.store.revokeSession(id);
    return c.json({ revoked: id });
  });

  app.get("/access/tokens", (c) => {
    const rt = deps.access as AccessRuntime;
    return c.json({ tokens: rt.store.listTokens().map(publicToken) });
  });

  app.post("/access/tokens", async (c) => {
    const rt = deps.access as AccessRuntime;
    const body = await jsonBody(c, CreateTokenBody);
    if (body instanceof Response) return body;
    const p = me(c);
    if (!mayGrant(p.role, body.role)) {
      return jsonError(c, 403, "forbidden", `a ${p.role} cannot make a ${body.role} token`, {
        field: "role",
      });
    }
    const { token, credential } = rt.store.createToken(p.personId, body);
    // The secret is shown this once; only its hash is kept.
    return c.json({ token: publicToken(token), secret: credential }, 201);
  });

  app.delete("/access/tokens/:id", (c) => {
    const rt = deps.access as AccessRuntime;
    const id = c.req.param("id");
    if (!rt.store.revokeToken(id)) return jsonError(c, 404, "not_found", `no token ${id}`);
    return c.json({ revoked: id });
  });

  return app;
}
