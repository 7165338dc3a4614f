/**
 * The one gate of access control (mounted for every route when access is
 * "token"). Per request:
 *  1. find the route's least role in THE route table (src/access/route-table.ts);
 *  2. `GET /?invite=…` → the name form; `?token=…` on a page → a session
 *     cookie and a redirect to the same URL without the token;
 *  3. resolve the principal from `Authorization: Bearer …` or the session
 *     cookie (failed guesses count per address; over the limit → 429);
 *  4. refuse: no principal → 401 (pages: HTML that says how to get access),
 *     too low a role → 403, a cookie-authenticated write from another origin → 403;
 *  5. put the principal in the context (`c.get("principal")`), and close an
 *     event stream the moment its session or token is revoked.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { atLeast } from "../access/roles.ts";
import { findRoute, ROUTE_TABLE, type RouteRule } from "../access/route-table.ts";
import { type AccessRuntime, sessionCookieName } from "../access/runtime.ts";
import type { AuthResult } from "../access/store.ts";
import "./principal-actor.ts"; // types c.set("principal")
import { invitePage, noAccessPage, REFUSAL_TEXT } from "./access-pages.tsx";
import { jsonError } from "./errors.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** Browsers cap cookie lifetime at 400 days; the session itself lasts until revoked. */
const COOKIE_MAX_AGE_S = 400 * 86400;

interface PeerEnv {
  server?: { requestIP?(req: Request): { address: string } | null };
}

export function peerAddress(c: Context): string {
  return (c.env as PeerEnv | undefined)?.server?.requestIP?.(c.req.raw)?.address ?? "unknown";
}

/** Origin (else Referer) names the host this request was sent to. */
export function sameOrigin(req: Request): boolean {
  const claimed = req.headers.get("origin") ?? req.headers.get("referer");
  const host = req.headers.get("host");
  if (!claimed || !host || claimed === "null") return false;
  try {
    return new URL(claimed).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function bearerOf(c: Context): string | null | undefined {
  const h = c.req.header("Authorization");
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

export function setSessionCookie(c: Context, rt: AccessRuntime, value: string): void {
  setCookie(c, sessionCookieName(rt.store), value, {
    httpOnly: true,
    sameSite: "Lax",
    secure: rt.secureCookies || new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: COOKIE_MAX_AGE_S,
  });
}

export function clearSessionCookie(c: Context, rt: AccessRuntime): void {
  deleteCookie(c, sessionCookieName(rt.store), { path: "/" });
}

function refuse(
  c: Context,
  route: RouteRule | null,
  status: 401 | 403 | 429,
  error: string,
  message: string,
  pageReason: string,
): Response {
  if (route?.kind === "page" && c.req.method === "GET") return noAccessPage(c, pageReason, status);
  return jsonError(c, status, error, message);
}

function tooMany(c: Context, route: RouteRule | null, retryAfterS: number): Response {
  c.header("Retry-After", String(retryAfterS));
  return refuse(
    c,
    route,
    429,
    "too_many_attempts",
    `too many invalid credentials from this address; retry in ${retryAfterS} s`,
    "none",
  );
}

export function accessGuard(rt: AccessRuntime, table = ROUTE_TABLE): MiddlewareHandler {
  const { store, limiter } = rt;
  return async (c, next) => {
    // Hono's own (decoded) path, so the rule found is the one of the handler that will run.
    const route = findRoute(table, c.req.method, c.req.path);
    const least = route?.least ?? "owner";
    // The peer is looked up only when it matters: a failure to count, or an address that has some.
    let peer: string | null = null;
    const address = () => {
      peer ??= peerAddress(c);
      return peer;
    };
    const isPageGet = route?.kind === "page" && c.req.method === "GET";

    // The invite form is public: the invite itself is the credential.
    const invite = isPageGet ? (c.req.query("invite") ?? null) : null;
    const ownerToken = isPageGet ? (c.req.query("token") ?? null) : null;
    const bearer = bearerOf(c);
    const cookie = getCookie(c, sessionCookieName(store));
    const presented = invite !== null || ownerToken !== null || bearer !== undefined || !!cookie;
    if (presented) {
      const verdict = limiter.tracked === 0 ? ({ ok: true } as const) : limiter.check(address());
      if (!verdict.ok) return tooMany(c, route, verdict.retryAfterS);
    }

    if (invite !== null) {
      const checked = store.checkInvite(invite);
      if (checked.ok && checked.invite.kind === "invite")
        return invitePage(c, invite, checked.invite.role);
      if (!checked.ok && checked.reason === "guess") limiter.fail(address());
      return noAccessPage(c, checked.ok ? "wrong_kind" : checked.reason, 401);
    }

    if (ownerToken !== null) {
      const r = store.redeemOwnerLink(ownerToken);
      if (!r.ok) {
        if (r.reason === "guess") limiter.fail(address());
        return noAccessPage(c, r.reason, 401);
      }
      setSessionCookie(c, rt, r.cookie);
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      // The token leaves the address bar and the history: the browser replaces this URL.
      c.header("Cache-Control", "no-store");
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }

    let auth: AuthResult | null = null;
    if (bearer !== undefined) {
      auth = bearer === null ? { ok: false, reason: "guess" } : store.authenticateToken(bearer);
    } else if (cookie) {
      auth = store.authenticateSession(cookie);
      if (!auth.ok) clearSessionCookie(c, rt);
    }
    if (auth && !auth.ok && auth.reason === "guess") limiter.fail(address());
    // A wrong bearer token is an error even on a public route: the script should know.
    if (auth && !auth.ok && bearer !== undefined) {
      return jsonError(
        c,
        401,
        auth.reason === "revoked" ? "token_revoked" : "invalid_token",
        auth.reason === "revoked"
          ? "this API token was revoked; ask an admin for a new one"
          : "the Authorization header does not carry a valid Lenslet API token",
      );
    }
    const principal = auth?.ok ? auth.principal : null;

    if (least !== "public") {
      if (!principal) {
        const ended = auth !== null && !auth.ok && auth.reason === "revoked";
        return refuse(
          c,
          route,
          401,
          ended ? "session_ended" : "auth_required",
          ended
            ? "your session was ended by an admin; ask for a new link"
            : "this Lenslet is shared by link: open the link you were given, or send Authorization: Bearer <API token>",
          ended ? "ended" : "none",
        );
      }
      if (!atLeast(principal.role, least)) {
        return jsonError(
          c,
          403,
          "forbidden",
          `${c.req.method} ${route?.path ?? c.req.path} needs the ${least} role; you are ${principal.role}`,
          { role: principal.role, needs: least },
        );
      }
    }
    // A browser sends the cookie from any site: a cookie-carried (or sign-in) write must come from our own pages.
    const cookieCarried = principal?.kind === "session" || (least === "public" && !principal);
    if (!SAFE.has(c.req.method) && cookieCarried && !sameOrigin(c.req.raw)) {
      return jsonError(
        c,
        403,
        "same_origin_required",
        "a write with a session cookie must come from this Lenslet's own pages (Origin or Referer must name this host); scripts use Authorization: Bearer <API token>",
      );
    }
    if (principal) c.set("principal", principal);
    await next();
    if (principal && route?.kind === "stream" && c.res.body) {
      c.res = closeOnRevoke(c.res, rt, principal.credentialId);
    }
  };
}

const REVOKED_FRAME = new TextEncoder().encode(
  `event: access-revoked\ndata: ${JSON.stringify({ message: REFUSAL_TEXT.ended })}\n\n`,
);

/**
 * The same stream, ended (with a last `access-revoked` event) the moment the
 * credential is revoked. Cancelling the inner body runs the event route's own
 * cleanup (unsubscribe from the bus).
 */
function closeOnRevoke(res: Response, rt: AccessRuntime, credentialId: string): Response {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let done = false;
  let off = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(ctrl) {
        off = rt.store.revocations.on(credentialId, () => {
          if (done) return;
          done = true;
          try {
            ctrl.enqueue(REVOKED_FRAME);
            ctrl.close();
          } catch {
            // The client already went away.
          }
          void reader.cancel("access revoked").catch(() => {});
        });
      },
      async pull(ctrl) {
        const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (done) return;
        if (r.done) {
          done = true;
          off();
          ctrl.close();
          return;
        }
        ctrl.enqueue(r.value);
      },
      cancel(reason) {
        done = true;
        off();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: res.status, headers: res.headers });
}
