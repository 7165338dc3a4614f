/**
 * Access control through the real app and a real server (`access: "token"`):
 * the route table walked by every role and by nobody, revocation (and the
 * event stream it closes), the Origin rule, the owner-link redirect, invites,
 * names that come from the session, and the failed-attempt limit.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { atLeast, type Role } from "../../src/access/roles.ts";
import { findRoute, ROUTE_TABLE, renderRouteTable } from "../../src/access/route-table.ts";
import { createApp } from "../../src/app.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import {
  apiToken,
  bearerCaller,
  type Caller,
  cookieCaller,
  cookieFrom,
  join as joinAs,
  nobody,
  ownerCookie,
} from "./helpers.ts";

const FILES = { "a.jpg": {}, "sub/b.jpg": {} };
let t: TestLenslet;
let owner: string;
const callers: Caller[] = [];

beforeAll(async () => {
  t = await startTestLenslet(FILES, { access: "token" });
  owner = await ownerCookie(t);
  callers.push(nobody);
  for (const role of ["viewer", "rater", "admin"] as const) {
    const { cookie } = await joinAs(t, owner, role, `${role} person`);
    callers.push(cookieCaller(t, role, cookie));
    const { secret } = await apiToken(t, owner, role);
    callers.push(bearerCaller(role, secret));
  }
  callers.push(cookieCaller(t, "owner", owner));
});
afterAll(async () => {
  await t?.dispose();
});

/** A concrete request for a table row. */
function urlFor(path: string): string {
  const concrete = path.replace(":id", "x_none").replace(":name", "app.css");
  const query = ["/thumb", "/file", "/dims", "/item"].includes(path) ? "?path=/a.jpg" : "";
  return `${t.url}${concrete}${query}`;
}

async function call(method: string, path: string, caller: Caller): Promise<Response> {
  const write = method !== "GET";
  const res = await fetch(urlFor(path), {
    method,
    redirect: "manual",
    // Writes carry the Origin our own pages send (the A9 tests cover the other cases).
    headers: {
      ...caller.headers(write),
      ...(write ? { "Content-Type": "application/json", Origin: t.url } : {}),
    },
    body: write ? "{}" : undefined,
  });
  return res;
}

describe("A10 every route checks", () => {
  test("A10 the app serves no route the table does not list", () => {
    const app = createApp(t.deps);
    const served = app.routes.filter((r) => r.method !== "ALL");
    expect(served.length).toBeGreaterThan(20);
    const missing = served.filter((r) => {
      const probe = r.path.replace(/:[a-z]+/g, "x_any");
      return findRoute(ROUTE_TABLE, r.method, probe) === null;
    });
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  test("A10 an encoded path reaches no handler past its rule", async () => {
    for (const path of [
      "/%69tem?path=/a.jpg",
      "/item/?path=/a.jpg",
      "/static/..%2Fitem",
      "/ITEM",
    ]) {
      const res = await fetch(`${t.url}${path}`);
      expect(`${path}: ${res.status}`).toMatch(/: 40[14]$/);
      if (res.status === 200) throw new Error(`${path} served without credentials`);
    }
  });

  test("A10 docs/spec.md shows the route table as it is", () => {
    const spec = readFileSync(join(import.meta.dir, "..", "..", "docs", "spec.md"), "utf8");
    expect(spec).toContain(renderRouteTable());
  });

  // Logout ends the caller's session: walk it last.
  const rows = [...ROUTE_TABLE].sort(
    (a, b) => Number(a.path === "/access/logout") - Number(b.path === "/access/logout"),
  );
  for (const route of rows) {
    test(`${route.id} ${route.method} ${route.path}: least ${route.least}, for nobody and each role`, async () => {
      for (const caller of callers) {
        if (route.path === "/access/logout" && caller.role !== "none") continue;
        const res = await call(route.method, route.path, caller);
        const label = `${route.method} ${route.path} as ${caller.role}: ${res.status}`;
        if (route.least === "public") {
          expect(label).not.toMatch(/: 40[13]$/);
        } else if (caller.role === "none") {
          expect(label).toEndWith(": 401");
          const type = res.headers.get("content-type") ?? "";
          if (route.kind === "page" && route.method === "GET") {
            expect(type).toContain("text/html");
            expect(await res.text()).toContain("ask the person who runs Lenslet for a link");
          } else {
            expect(type).toContain("application/json");
            expect(await res.json()).toMatchObject({ error: "auth_required" });
          }
        } else if (!atLeast(caller.role as Role, route.least)) {
          expect(label).toEndWith(": 403");
          expect(await res.json()).toMatchObject({ error: "forbidden", needs: route.least });
        } else {
          expect(label).not.toMatch(/: 40[13]$/);
        }
        if (!res.bodyUsed) await res.body?.cancel();
      }
    });
  }

  test("A10 logout ends the session it was sent with", async () => {
    const { cookie } = await joinAs(t, owner, "viewer", "Leaver");
    const out = await fetch(`${t.url}/access/logout`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: t.url },
    });
    expect(await out.json()).toEqual({ ended: true });
    expect((await fetch(`${t.url}/item?path=/a.jpg`, { headers: { Cookie: cookie } })).status).toBe(
      401,
    );
  });
});

describe("A2 owner link", () => {
  test("A2 ?token= becomes an HttpOnly SameSite cookie and a redirect to the URL without it", async () => {
    const link = new URL(t.ownerLink as string);
    link.searchParams.set("folder", "/sub");
    const res = await fetch(link, { redirect: "manual" });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") as string;
    expect(location).toBe("/?folder=%2Fsub");
    expect(location).not.toContain("token");
    const set = res.headers.get("set-cookie") as string;
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Lax");
    expect(set).not.toContain("Secure");
    // Same-origin referrers only (set for every answer): the token never leaves in a Referer.
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    const page = await fetch(`${t.url}${location}`, { headers: { Cookie: cookieFrom(res) } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  test("A2 a wrong token gets the page that says how to get access", async () => {
    const res = await fetch(`${t.url}/?token=inv_AAAAAAAAAAAA.${"A".repeat(43)}`, {
      redirect: "manual",
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("This link is not valid.");
  });
});

describe("A5 invites", () => {
  test("A5 the invite link shows a name form; the session carries that name and the role", async () => {
    const made = await fetch(`${t.url}/access/invites`, {
      method: "POST",
      headers: { Cookie: owner, Origin: t.url, "Content-Type": "application/json" },
      body: JSON.stringify({ role: "rater", uses: 1, expires_in: 3600 }),
    });
    expect(made.status).toBe(201);
    const { link, invite } = (await made.json()) as {
      link: string;
      invite: Record<string, unknown>;
    };
    expect(invite).not.toHaveProperty("hash");
    expect(link.startsWith(`${t.url}/?invite=`)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="/access/join"');
    expect(html).toContain("rater");
    const secret = new URL(link).searchParams.get("invite") as string;
    const post = (origin: string | null) =>
      fetch(`${t.url}/access/join`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          ...(origin ? { Origin: origin } : {}),
        },
        body: new URLSearchParams({ invite: secret, name: "Łukasz 李" }),
      });
    // Login CSRF: a form on another site cannot sign anyone in.
    expect((await post("http://evil.example")).status).toBe(403);
    const res = await post(t.url);
    expect(res.status).toBe(303);
    const me = await (
      await fetch(`${t.url}/access/me`, { headers: { Cookie: cookieFrom(res) } })
    ).json();
    expect(me).toMatchObject({
      enabled: true,
      principal: { name: "Łukasz 李", role: "rater", kind: "session" },
      can: { label: true, manageAccess: false },
    });
    // One use only.
    expect((await post(t.url)).status).toBe(401);
    const again = await fetch(link);
    expect(await again.text()).toContain("used as many times as it allows");
  });

  test("A5 a rater cannot invite; an admin cannot invite an owner", async () => {
    const rater = callers.find((c) => c.role === "rater") as Caller;
    const admin = callers.find((c) => c.role === "admin") as Caller;
    const r1 = await fetch(`${t.url}/access/invites`, {
      method: "POST",
      headers: { ...rater.headers(true), "Content-Type": "application/json" },
      body: JSON.stringify({ role: "viewer" }),
    });
    expect(r1.status).toBe(403);
    const r2 = await fetch(`${t.url}/access/invites`, {
      method: "POST",
      headers: { ...admin.headers(true), "Content-Type": "application/json" },
      body: JSON.stringify({ role: "owner" }),
    });
    expect(r2.status).toBe(400);
    expect(await r2.json()).toMatchObject({ error: "validation_error", field: "role" });
  });
});

describe("A7 revocation", () => {
  test("A7 an ended session gets 401 at once and its open event stream closes within a second", async () => {
    const { cookie, sessionId } = await joinAs(t, owner, "rater", "Revoked Rita");
    const stream = await fetch(`${t.url}/events`, { headers: { Cookie: cookie } });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("retry:");

    const t0 = performance.now();
    const del = await fetch(`${t.url}/access/sessions/${sessionId}`, {
      method: "DELETE",
      headers: { Cookie: owner, Origin: t.url },
    });
    expect(del.status).toBe(200);
    let text = "";
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      text += new TextDecoder().decode(r.value);
    }
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(text).toContain("event: access-revoked");

    const after = await fetch(`${t.url}/item?path=/a.jpg`, { headers: { Cookie: cookie } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: "session_ended" });
    const page = await fetch(`${t.url}/`, { headers: { Cookie: cookie } });
    expect(await page.text()).toContain("Your access to this gallery was ended.");
    // The bus no longer holds the stream.
    const health = await (await fetch(`${t.url}/health`, { headers: { Cookie: owner } })).json();
    expect(health.events.connected).toBe(0);
  });

  test("A8 a revoked API token gets 401 token_revoked", async () => {
    const tok = await apiToken(t, owner, "rater", "short-lived");
    const ok = await fetch(`${t.url}/item?path=/a.jpg`, {
      headers: { Authorization: `Bearer ${tok.secret}` },
    });
    expect(ok.status).toBe(200);
    await fetch(`${t.url}/access/tokens/${tok.id}`, {
      method: "DELETE",
      headers: { Cookie: owner, Origin: t.url },
    });
    const res = await fetch(`${t.url}/item?path=/a.jpg`, {
      headers: { Authorization: `Bearer ${tok.secret}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "token_revoked" });
  });
});

describe("A9 the Origin rule", () => {
  const patch = (headers: Record<string, string>, star: number) =>
    fetch(`${t.url}/item?path=/sub/b.jpg`, {
      method: "PATCH",
      headers: {
        ...headers,
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
      },
      body: JSON.stringify({ set_metrics: { s: star } }),
    });

  test("A9 a cookie write from a foreign Origin, or with no Origin, is refused", async () => {
    const { cookie } = await joinAs(t, owner, "rater", "Ana");
    const foreign = await patch({ Cookie: cookie, Origin: "http://evil.example" }, 1);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: "same_origin_required" });
    expect((await patch({ Cookie: cookie }, 1)).status).toBe(403);
    expect((await patch({ Cookie: cookie, Referer: `${t.url}/?folder=/` }, 2)).status).toBe(200);
    expect((await patch({ Cookie: cookie, Origin: t.url }, 3)).status).toBe(200);
  });

  test("A9 a bearer write needs no Origin", async () => {
    const { secret } = await apiToken(t, owner, "rater", "scorer");
    expect((await patch({ Authorization: `Bearer ${secret}` }, 4)).status).toBe(200);
    const foreign = await patch(
      { Authorization: `Bearer ${secret}`, Origin: "http://x.example" },
      5,
    );
    expect(foreign.status).toBe(200);
  });
});

describe("A12 names are true", () => {
  test("A12 updated_by and presence names come from the session, not the headers", async () => {
    const { cookie } = await joinAs(t, owner, "rater", "Ana");
    const me = await (await fetch(`${t.url}/access/me`, { headers: { Cookie: cookie } })).json();
    const res = await fetch(`${t.url}/item?path=/a.jpg`, {
      method: "PATCH",
      headers: {
        Cookie: cookie,
        Origin: t.url,
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "Mallory",
        "X-Lenslet-Client": "tab1",
      },
      body: JSON.stringify({ add_tags: ["true-name"] }),
    });
    expect(res.status).toBe(200);
    const rec = await res.json();
    expect(rec.updated_by).toBe(`Ana (${me.principal.person_id})`);

    const join = await fetch(`${t.url}/presence/join`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: t.url, "X-Lenslet-Name": "Mallory" },
      body: JSON.stringify({ gallery_id: "/", client_id: "tab1", name: "Mallory" }),
    });
    expect(join.status).toBe(200);
    const counts = await join.json();
    expect(counts.names).toContain("Ana");
    expect(counts.names).not.toContain("Mallory");
  });

  test("A12 a script's writes carry its token's name and id", async () => {
    const { secret, id } = await apiToken(t, owner, "rater", "nightly scorer");
    const res = await fetch(`${t.url}/items/patch`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${secret}`,
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "someone else",
      },
      body: JSON.stringify({ patches: [{ path: "/a.jpg", add_tags: ["scored"] }] }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results[0].updated_by).toBe(`nightly scorer (${id})`);
  });
});

describe("A11 failed attempts", () => {
  test("A11 after 20 wrong tokens from one address: 429 with Retry-After, even for a good one", async () => {
    const s = await startTestLenslet(FILES, { access: "token" });
    try {
      const good = await ownerCookie(s);
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${s.url}/item?path=/a.jpg`, {
          headers: { Authorization: `Bearer tok_AAAAAAAAAAAA.${"B".repeat(43)}` },
        });
        expect(r.status).toBe(401);
      }
      const blocked = await fetch(`${s.url}/item?path=/a.jpg`, { headers: { Cookie: good } });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await blocked.json()).toMatchObject({ error: "too_many_attempts" });
      // Asking without any credential is not an attempt: still the plain 401.
      expect((await fetch(`${s.url}/item?path=/a.jpg`)).status).toBe(401);
    } finally {
      await s.dispose();
    }
  });
});

describe("A1 modes", () => {
  test("A1 on loopback with no options nothing changes: no login", async () => {
    const s = await startTestLenslet(FILES);
    try {
      expect(s.ownerLink).toBeNull();
      expect((await s.get("/item?path=/a.jpg")).status).toBe(200);
      expect((await s.get("/")).status).toBe(200);
      expect(await (await s.get("/access/me")).json()).toMatchObject({
        enabled: false,
        mode: "local",
      });
      expect((await s.get("/access/invites")).status).toBe(409);
    } finally {
      await s.dispose();
    }
  });
});
