/** Every presence route and every error it can answer, through `app.request()`. */
import { afterEach, describe, expect, test } from "bun:test";
import { Config } from "../../src/config.ts";
import { type PresenceService, startPresenceService } from "../../src/presence/service.ts";
import { presenceRoutes } from "../../src/routes/presence.ts";
import { FakeClock, newBus, observedTracker } from "./helpers.ts";

const services: PresenceService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.stop();
});

function setup(
  opts: { lifecycleV2?: boolean; allowRemoteWrites?: boolean; maxSessions?: number } = {},
) {
  const clock = new FakeClock();
  const config = Config.parse({
    root: "/nonexistent",
    workspace: "/nonexistent",
    canWrite: false,
    presenceLifecycleV2: opts.lifecycleV2 ?? true,
    allowRemoteWrites: opts.allowRemoteWrites ?? false,
    maxSessions: opts.maxSessions,
  });
  const presence = observedTracker(clock, {
    viewTtlMs: config.viewTtlMs,
    editTtlMs: config.editTtlMs,
    lifecycleV2: config.presenceLifecycleV2,
    maxSessions: config.maxSessions,
  });
  const bus = newBus();
  // Publishing only: tests prune by hand on the fake clock.
  services.push(startPresenceService({ tracker: presence, bus, pruneIntervalMs: 3_600_000 }));
  const app = presenceRoutes(
    { config, bus, presence },
    { streamStats: () => ({ connected: 7, replayMissTotal: 3 }) },
  );
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const get = (path: string) => app.request(path);
  return { app, post, get, presence, clock, bus, config };
}

type Json = Record<string, unknown>;
async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

async function joined(post: ReturnType<typeof setup>["post"], gallery: string, client: string) {
  const res = await post("/presence/join", { gallery_id: gallery, client_id: client });
  expect(res.status).toBe(200);
  return (await json(res)).lease_id as string;
}

describe("POST /presence/join", () => {
  test("P2: answers the scope's counts and a lease", async () => {
    const { post } = setup();
    const res = await post("/presence/join", { gallery_id: "/a", client_id: "tab1", name: "Ana" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      gallery_id: "/a",
      client_id: "tab1",
      viewing: 1,
      editing: 0,
      names: ["Ana"],
      created: true,
    });
    expect(typeof body.lease_id).toBe("string");
  });

  test("P1: gallery ids are canonical: `a/`, `/a//` and `/a` are one scope", async () => {
    const { post } = setup();
    await joined(post, "a/", "t1");
    const res = await post("/presence/join", { gallery_id: "/a//", client_id: "t2" });
    expect(await json(res)).toMatchObject({ gallery_id: "/a", viewing: 2 });
  });

  test("P10: the display name may come from the X-Lenslet-Name header", async () => {
    const { post } = setup();
    const res = await post(
      "/presence/join",
      { gallery_id: "/", client_id: "t1" },
      { "X-Lenslet-Name": " Bo " },
    );
    expect((await json(res)).names).toEqual(["Bo"]);
  });

  test("P3: a second join of a live session without its lease → 409 invalid_lease", async () => {
    const { post, get } = setup();
    await joined(post, "/a", "tab1");
    const res = await post("/presence/join", { gallery_id: "/b", client_id: "tab1" });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: "invalid_lease" });
    expect(await json(await get("/presence?gallery_id=/b"))).toMatchObject({ viewing: 0 });
  });

  test("P3: a repeated join with the lease answers the same lease", async () => {
    const { post } = setup();
    const lease = await joined(post, "/a", "tab1");
    const res = await post("/presence/join", {
      gallery_id: "/a",
      client_id: "tab1",
      lease_id: lease,
    });
    expect(await json(res)).toMatchObject({ lease_id: lease, viewing: 1, created: false });
  });
});

describe("POST /presence/move", () => {
  test("P4: moves the session and answers both scopes", async () => {
    const { post } = setup();
    const lease = await joined(post, "/a", "tab1");
    const res = await post("/presence/move", {
      from_gallery_id: "/a",
      to_gallery_id: "/a/b",
      client_id: "tab1",
      lease_id: lease,
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      gallery_id: "/a/b",
      viewing: 1,
      editing: 0,
      names: [],
      sessions: 1,
      client_id: "tab1",
      lease_id: lease,
      moved: true,
      from: { gallery_id: "/a", viewing: 0, editing: 0, names: [], sessions: 0 },
    });
  });

  test("P4: a forged lease → 409 invalid_lease and nothing changes", async () => {
    const { post, get } = setup();
    await joined(post, "/a", "victim");
    const res = await post("/presence/move", {
      from_gallery_id: "/a",
      to_gallery_id: "/b",
      client_id: "victim",
      lease_id: "guessed",
    });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: "invalid_lease" });
    expect(await json(await get("/presence?gallery_id=/a"))).toMatchObject({ viewing: 1 });
  });

  test("P4: a move from the wrong scope → 409 scope_mismatch", async () => {
    const { post } = setup();
    const lease = await joined(post, "/a", "tab1");
    const res = await post("/presence/move", {
      from_gallery_id: "/elsewhere",
      to_gallery_id: "/b",
      client_id: "tab1",
      lease_id: lease,
    });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: "scope_mismatch" });
  });

  test("P13: a missing field → 400 validation_error naming it", async () => {
    const { post } = setup();
    const res = await post("/presence/move", {
      from_gallery_id: "/a",
      client_id: "t",
      lease_id: "l",
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "validation_error", field: "to_gallery_id" });
  });
});

describe("POST /presence/leave", () => {
  test("P5: accepts the text/plain body sendBeacon sends, and removes the session", async () => {
    const { post, get } = setup();
    const lease = await joined(post, "/a", "tab1");
    const res = await post(
      "/presence/leave",
      JSON.stringify({ gallery_id: "/a", client_id: "tab1", lease_id: lease }),
      { "Content-Type": "text/plain;charset=UTF-8" },
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      gallery_id: "/a",
      viewing: 0,
      editing: 0,
      names: [],
      sessions: 0,
      client_id: "tab1",
      mode: "lifecycle_v2",
      removed: true,
    });
    expect(await json(await get("/presence?gallery_id=/a"))).toMatchObject({ viewing: 0 });
  });

  test("P5: a repeated leave answers removed:false", async () => {
    const { post } = setup();
    const lease = await joined(post, "/a", "tab1");
    const body = { gallery_id: "/a", client_id: "tab1", lease_id: lease };
    await post("/presence/leave", body);
    const again = await post("/presence/leave", body);
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ removed: false, viewing: 0 });
  });

  test("P5: a forged lease cannot evict → 409 invalid_lease", async () => {
    const { post, get } = setup();
    await joined(post, "/a", "victim");
    const res = await post("/presence/leave", {
      gallery_id: "/a",
      client_id: "victim",
      lease_id: "x",
    });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: "invalid_lease" });
    expect(await json(await get("/presence?gallery_id=/a"))).toMatchObject({ viewing: 1 });
  });

  test("P11: with lifecycle v2 off, leave answers legacy_heartbeat and removes nothing", async () => {
    const { post, get } = setup({ lifecycleV2: false });
    const lease = await joined(post, "/a", "tab1");
    const res = await post("/presence/leave", {
      gallery_id: "/a",
      client_id: "tab1",
      lease_id: lease,
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ mode: "legacy_heartbeat", removed: false });
    expect(await json(await get("/presence?gallery_id=/a"))).toMatchObject({ viewing: 1 });
  });
});

describe("capacity", () => {
  test("P16: a full session table → 503 presence_full with Retry-After; live tabs keep their place", async () => {
    const { post, get, clock } = setup({ maxSessions: 2 });
    const lease = await joined(post, "/a", "t1");
    await joined(post, "/a", "t2");
    for (const [route, body] of [
      ["/presence/join", { gallery_id: "/a", client_id: "t3" }],
      ["/presence", { gallery_id: "/a", client_id: "t3" }],
    ] as const) {
      const res = await post(route, body);
      expect(res.status).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("5");
      expect((await json(res)).error).toBe("presence_full");
    }
    // The sessions already there are untouched and still refresh.
    expect((await json(await get("/presence?gallery_id=/a"))).viewing).toBe(2);
    expect(
      (await post("/presence/join", { gallery_id: "/a", client_id: "t1", lease_id: lease })).status,
    ).toBe(200);
    // Once t2 has gone stale there is room again, without waiting for the prune loop.
    clock.advance(60_000);
    await post("/presence/join", { gallery_id: "/a", client_id: "t1", lease_id: lease });
    clock.advance(20_000);
    expect((await post("/presence/join", { gallery_id: "/a", client_id: "t3" })).status).toBe(200);
    const d = await json(await get("/presence/diagnostics"));
    expect(d.active_clients).toBe(2);
    expect(d.presence_full_total).toBe(2);
  });
});

describe("POST /presence (legacy heartbeat)", () => {
  test("P6: creates and refreshes a session from a client id alone", async () => {
    const { post } = setup();
    const first = await post("/presence", { gallery_id: "/a", client_id: "simple" });
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({
      gallery_id: "/a",
      viewing: 1,
      editing: 0,
      names: [],
      sessions: 1,
      client_id: "simple",
    });
    const second = await post("/presence", { gallery_id: "/a", client_id: "simple" });
    expect(await json(second)).toMatchObject({ viewing: 1 });
  });

  test("P6: cannot touch a leased session → 409 invalid_lease", async () => {
    const { post } = setup();
    await joined(post, "/a", "tab1");
    const res = await post("/presence", { gallery_id: "/b", client_id: "tab1" });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ error: "invalid_lease" });
  });
});

describe("validation", () => {
  test("P13: a body that is not JSON → 400 validation_error on `body`", async () => {
    const { post } = setup();
    const res = await post("/presence/join", "{nope", { "Content-Type": "text/plain" });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "validation_error", field: "body" });
  });

  test("P13: a missing client_id → 400 naming client_id", async () => {
    const { post } = setup();
    const res = await post("/presence/join", { gallery_id: "/a" });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "validation_error", field: "client_id" });
  });

  test("P13: a client_id over 64 characters → 400 naming client_id", async () => {
    const { post } = setup();
    const res = await post("/presence", { gallery_id: "/a", client_id: "x".repeat(65) });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "validation_error", field: "client_id" });
  });

  test("P1: a gallery id that climbs out of the root → 400 naming gallery_id", async () => {
    const { post } = setup();
    const res = await post("/presence/join", { gallery_id: "/a/../../etc", client_id: "t" });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "validation_error", field: "gallery_id" });
  });

  // P13's 413 for an oversized body is the app-wide body limit: test/routes/body-limits.test.ts.

  test("P13: GET /presence without gallery_id → 400 naming gallery_id", async () => {
    const { get } = setup();
    const res = await get("/presence");
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "validation_error", field: "gallery_id" });
  });
});

describe("origin", () => {
  test("P13: a presence write from another site → 403 local_origin_required", async () => {
    const { post, get } = setup();
    const res = await post(
      "/presence/join",
      { gallery_id: "/a", client_id: "t" },
      { Origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ error: "local_origin_required" });
    expect(await json(await get("/presence?gallery_id=/a"))).toMatchObject({ viewing: 0 });
  });

  test("P13: --allow-remote-writes lifts the rule", async () => {
    const { post } = setup({ allowRemoteWrites: true });
    const res = await post(
      "/presence/join",
      { gallery_id: "/a", client_id: "t" },
      { Origin: "https://elsewhere.example" },
    );
    expect(res.status).toBe(200);
  });

  test("P13: the page's own origin may write", async () => {
    const { post } = setup();
    const res = await post(
      "/presence/join",
      { gallery_id: "/a", client_id: "t" },
      { Origin: "http://localhost" },
    );
    expect(res.status).toBe(200);
  });
});

describe("GET /presence and diagnostics", () => {
  test("P2: GET /presence answers the current counts without changing anything", async () => {
    const { post, get } = setup();
    await joined(post, "/a", "t1");
    const res = await get("/presence?gallery_id=a");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await json(res)).toEqual({
      gallery_id: "/a",
      viewing: 1,
      editing: 0,
      names: [],
      sessions: 1,
    });
  });

  test("P14: diagnostics show the settings and counters that move with what happens", async () => {
    const { post, get, clock, presence } = setup();
    const lease = await joined(post, "/a", "t1");
    await joined(post, "/b", "t2");
    await post("/presence/leave", { gallery_id: "/a", client_id: "t1", lease_id: "forged" });
    await post("/presence/move", {
      from_gallery_id: "/x",
      to_gallery_id: "/b",
      client_id: "t1",
      lease_id: lease,
    });
    clock.advance(75_000);
    presence.prune();
    const d = await json(await get("/presence/diagnostics"));
    expect(d).toEqual({
      view_ttl: 75,
      edit_ttl: 60,
      prune_interval: 5,
      lifecycle_v2_enabled: true,
      active_clients: 0,
      active_scopes: 0,
      stale_pruned_total: 2,
      invalid_lease_total: 1,
      scope_mismatch_total: 1,
      max_sessions: 10_000,
      presence_full_total: 0,
      replay_miss_total: 3,
      connected_sse_clients: 7,
      replay_buffer: { size: 4, capacity: 1000, oldest_id: 1, newest_id: 4 },
    });
  });

  test("P14: without a stream-stats source the numbers come from the bus", async () => {
    const { config, bus, presence } = setup();
    const app = presenceRoutes({ config, bus, presence });
    bus.subscribe(null, { send: () => true, close: () => {} });
    const d = await json(await app.request("/presence/diagnostics"));
    expect(d).toMatchObject({ connected_sse_clients: 1, replay_miss_total: 0 });
  });
});

describe("people", () => {
  test("P18: joins with one person_id count once, with their tabs in `sessions`; GET /presence says so too", async () => {
    const { post, get } = setup();
    for (const tab of ["t1", "t2", "t3"]) {
      const res = await post("/presence/join", {
        gallery_id: "/a",
        client_id: tab,
        person_id: "dee",
        name: "Dee",
      });
      expect(res.status).toBe(200);
    }
    const other = await post("/presence/join", {
      gallery_id: "/a",
      client_id: "o1",
      person_id: "eve",
      name: "Eve",
    });
    expect(await json(other)).toMatchObject({ viewing: 2, names: ["Dee", "Eve"], sessions: 4 });
    expect(await json(await get("/presence?gallery_id=/a"))).toEqual({
      gallery_id: "/a",
      viewing: 2,
      editing: 0,
      names: ["Dee", "Eve"],
      sessions: 4,
    });
  });

  test("P18 P13: a malformed person_id → 400 validation_error naming it", async () => {
    const { post } = setup();
    for (const person_id of ["", "x".repeat(65), 7]) {
      const res = await post("/presence/join", { gallery_id: "/a", client_id: "t1", person_id });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ error: "validation_error", field: "person_id" });
    }
    const hb = await post("/presence", { gallery_id: "/a", client_id: "s1", person_id: "" });
    expect(await json(hb)).toMatchObject({ error: "validation_error", field: "person_id" });
  });
});
