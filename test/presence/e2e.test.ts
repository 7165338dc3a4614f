/**
 * The seeds' end-to-end scenario at the server level: real Bun.serve, the real
 * presence, label and event-stream routes (edits are real PATCH /item calls
 * over an in-memory label store), an SSE observer reading the real stream.
 * Time is a fake clock; each step moves it by one prune interval and waits for
 * the real prune loop's next pass, so TTL bounds are checked exactly.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { Config } from "../../src/config.ts";
import { LabelStore } from "../../src/labels/store.ts";
import type { PresenceCounts } from "../../src/live/protocol.ts";
import { type PresenceService, startPresenceService } from "../../src/presence/service.ts";
import { eventRoutes } from "../../src/routes/events.ts";
import { itemRoutes } from "../../src/routes/items.ts";
import { presenceRoutes } from "../../src/routes/presence.ts";
import { connectSSE, type SSEClient } from "../helpers/sse-client.ts";
import { CapturingLog, StubGallery } from "../labels/helpers.ts";
import { FakeClock, newBus, type ObservedTracker, observedTracker } from "./helpers.ts";

const VIEW_TTL = 75_000;
const EDIT_TTL = 60_000;
const PRUNE = 5_000;
const HEARTBEAT = 30_000;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

const IMAGES = ["/animals/cats/1.jpg", "/animals/dogs/2.jpg", "/plants/3.jpg"];

async function startServer(clock: FakeClock) {
  const config = Config.parse({ root: "/nonexistent", workspace: "/nonexistent", canWrite: false });
  const tracker = observedTracker(clock, { viewTtlMs: VIEW_TTL, editTtlMs: EDIT_TTL });
  const bus = newBus();
  const log = new CapturingLog();
  const labels = await LabelStore.open({ dir: null, mode: "strict", log });
  labels.attach(bus);
  cleanup.push(() => void labels.close());
  // The loop runs every few real ms; the test moves fake time one prune interval per pass.
  const service: PresenceService = startPresenceService({ tracker, bus, pruneIntervalMs: 2 });
  const app = new Hono();
  app.route("/", eventRoutes({ bus }, { heartbeatMs: 60_000 }));
  app.route("/", presenceRoutes({ config, bus, presence: tracker }));
  app.route(
    "/",
    itemRoutes({ config, gallery: new StubGallery(IMAGES), labels, presence: tracker, log }),
  );
  const server = Bun.serve({ port: 0, fetch: (req, srv) => app.fetch(req, { server: srv }) });
  cleanup.push(
    () => server.stop(true),
    () => service.stop(),
    () => bus.close(),
  );
  return { base: `http://127.0.0.1:${server.port}`, tracker, bus };
}

/** One browser tab as the client code drives it: id and lease kept in "sessionStorage". */
class Tab {
  lease: string | null = null;
  scope: string | null = null;
  lastBeat = 0;
  constructor(
    readonly base: string,
    readonly clock: FakeClock,
    readonly clientId: string,
    readonly name: string,
  ) {}

  private async post(
    path: string,
    body: unknown,
    beacon = false,
  ): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.base}${path}`, {
      method: "POST",
      headers: { "Content-Type": beacon ? "text/plain;charset=UTF-8" : "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async join(scope: string) {
    const r = await this.post("/presence/join", {
      gallery_id: scope,
      client_id: this.clientId,
      name: this.name,
      ...(this.lease ? { lease_id: this.lease } : {}),
    });
    this.lease = r.lease_id as string;
    this.scope = scope;
    this.lastBeat = this.clock.t;
    return r;
  }

  async move(to: string) {
    await this.post("/presence/move", {
      from_gallery_id: this.scope,
      to_gallery_id: to,
      client_id: this.clientId,
      lease_id: this.lease,
    });
    this.scope = to;
    this.lastBeat = this.clock.t;
  }

  /** pagehide: the beacon leave. */
  async leave() {
    await this.post(
      "/presence/leave",
      { gallery_id: this.scope, client_id: this.clientId, lease_id: this.lease },
      true,
    );
  }

  /** A reload: same client id and lease (sessionStorage), leave on pagehide unless lost. */
  async refresh(beaconDelivered: boolean) {
    const scope = this.scope!;
    if (beaconDelivered) await this.leave();
    await this.join(scope);
  }

  /** A label write from the folder this tab is viewing (what the page sends). */
  async edit(path: string) {
    const res = await fetch(`${this.base}/item?path=${encodeURIComponent(path)}`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Client": this.clientId,
        "X-Lenslet-Name": this.name,
        "X-Lenslet-Scope": this.scope!,
      },
      body: JSON.stringify({ add_tags: ["seen"] }),
    });
    expect(res.status).toBe(200);
    this.lastBeat = this.clock.t;
  }

  /** The 30 s heartbeat while visible: a join with the lease. */
  async beatIfDue() {
    if (this.clock.t - this.lastBeat >= HEARTBEAT) await this.join(this.scope!);
  }
}

/** What one page believes from the stream alone: the latest presence event per scope. */
class Observer {
  view = new Map<string, PresenceCounts>();
  /** Every presence payload seen, in order. */
  history: PresenceCounts[] = [];
  lastId: string | null = null;
  sse: SSEClient | null = null;

  async connect(url: string) {
    this.sse = await connectSSE(url, this.lastId === null ? {} : { lastEventId: this.lastId });
    expect(this.sse.response.status).toBe(200);
    cleanup.push(() => this.sse?.close());
  }

  get(scope: string): PresenceCounts {
    return (
      this.view.get(scope) ?? { gallery_id: scope, viewing: 0, editing: 0, names: [], sessions: 0 }
    );
  }

  /** Reads events until `scope` matches `want` (or times out). */
  async until(
    scope: string,
    want: Partial<PresenceCounts>,
    timeoutMs = 2000,
  ): Promise<PresenceCounts> {
    const matches = () =>
      Object.entries(want).every(([k, v]) =>
        Bun.deepEquals(this.get(scope)[k as keyof PresenceCounts], v),
      );
    while (!matches()) {
      const ev = await this.sse!.next(undefined, timeoutMs);
      if (ev.id !== null) this.lastId = ev.id;
      if (ev.event !== "presence") continue;
      const counts = ev.json as PresenceCounts;
      this.view.set(counts.gallery_id, counts);
      this.history.push(counts);
    }
    return this.get(scope);
  }

  cut() {
    this.sse?.close();
    this.sse = null;
  }
}

async function step(clock: FakeClock, tracker: ObservedTracker, tabs: Tab[]) {
  for (const tab of tabs) await tab.beatIfDue();
  clock.advance(PRUNE);
  await tracker.nextPrune();
}

function truthOf(tracker: ObservedTracker, scopes: string[]) {
  return scopes.map((s) => tracker.counts(s));
}

describe("end to end", () => {
  test("P15: three tabs, edits in two folders, a refresh, a cut stream: counts converge within the bounds", async () => {
    const clock = new FakeClock();
    const { base, tracker } = await startServer(clock);
    const obs = new Observer();
    await obs.connect(`${base}/events`);

    const ana = new Tab(base, clock, "tab-ana", "Ana");
    const bo = new Tab(base, clock, "tab-bo", "Bo");
    const cy = new Tab(base, clock, "tab-cy", "Cy");
    await ana.join("/animals");
    await bo.join("/animals");
    await cy.join("/plants");
    await obs.until("/animals", { viewing: 2, names: ["Ana", "Bo"] });
    await obs.until("/plants", { viewing: 1, names: ["Cy"] });

    // Ana browses /animals recursively with a filter on and tags /animals/cats/1.jpg:
    // she is counted where she writes from (X-Lenslet-Scope), not in the item's folder.
    await ana.edit("/animals/cats/1.jpg");
    await cy.edit("/plants/3.jpg");
    await obs.until("/animals", { viewing: 2, editing: 1 });
    await obs.until("/plants", { viewing: 1, editing: 1 });
    expect(tracker.counts("/animals/cats").viewing).toBe(0);

    // Bo refreshes twice: once with the pagehide beacon delivered, once with it lost.
    await bo.refresh(true);
    await obs.until("/animals", { viewing: 2 });
    await bo.refresh(false);
    expect(tracker.counts("/animals").viewing).toBe(2);

    // The stream is cut; meanwhile Ana moves and Cy's laptop dies without a leave.
    const cyLastSeen = clock.t;
    obs.cut();
    await ana.move("/animals/cats");
    // Reconnect with Last-Event-ID: the replay carries what was missed.
    await obs.connect(`${base}/events`);
    await obs.until("/animals", { viewing: 1, editing: 0, names: ["Bo"], sessions: 1 });
    await obs.until("/animals/cats", { viewing: 1, editing: 0, names: ["Ana"], sessions: 1 });
    // The page rejoins as soon as the stream is back: idempotent, nothing changes.
    await ana.join("/animals/cats");
    await bo.join("/animals");
    expect(truthOf(tracker, ["/animals", "/animals/cats"]).map((c) => c.viewing)).toEqual([1, 1]);

    // Bo edits; his edit must expire after edit_ttl, published within one prune interval.
    await bo.edit("/animals/dogs/2.jpg");
    const boEditAt = clock.t;
    await obs.until("/animals", { editing: 1 });

    // Time passes for the live tabs (they heartbeat); Cy is pruned by the loop alone.
    let cyGoneAt: number | null = null;
    let boEditGoneAt: number | null = null;
    while (cyGoneAt === null || boEditGoneAt === null) {
      await step(clock, tracker, [ana, bo]);
      if (cyGoneAt === null && tracker.counts("/plants").viewing === 0) {
        await obs.until("/plants", { viewing: 0, editing: 0, names: [], sessions: 0 });
        cyGoneAt = clock.t;
      }
      if (boEditGoneAt === null && tracker.counts("/animals").editing === 0) {
        await obs.until("/animals", { editing: 0 });
        boEditGoneAt = clock.t;
      }
      expect(clock.t - cyLastSeen).toBeLessThanOrEqual(VIEW_TTL + PRUNE + 5_000);
    }
    expect(cyGoneAt - cyLastSeen).toBeGreaterThanOrEqual(VIEW_TTL);
    expect(cyGoneAt - cyLastSeen).toBeLessThanOrEqual(VIEW_TTL + PRUNE);
    expect(boEditGoneAt - boEditAt).toBeGreaterThanOrEqual(EDIT_TTL);
    expect(boEditGoneAt - boEditAt).toBeLessThanOrEqual(EDIT_TTL + PRUNE);

    // The live tabs survived all of it, and the stream never showed an inflated count.
    const scopes = ["/animals", "/animals/cats", "/plants"];
    expect(truthOf(tracker, scopes)).toEqual(scopes.map((s) => obs.get(s)));
    expect(obs.get("/animals")).toMatchObject({ viewing: 1, names: ["Bo"] });
    expect(obs.get("/animals/cats")).toMatchObject({ viewing: 1, names: ["Ana"] });
    const maxAnimals = Math.max(
      ...obs.history.filter((c) => c.gallery_id === "/animals").map((c) => c.viewing),
    );
    expect(maxAnimals).toBe(2);
    expect(Math.max(...obs.history.map((c) => c.editing - c.viewing))).toBeLessThanOrEqual(0);
  }, 30_000);

  test("P2, P5: concurrent tabs over HTTP: the stream and the tracker agree with what each tab was told", async () => {
    const clock = new FakeClock();
    const { base, tracker } = await startServer(clock);
    const obs = new Observer();
    await obs.connect(`${base}/events`);
    const scopes = ["/", "/a", "/a/b", "/c"];
    const tabs = Array.from({ length: 30 }, (_, i) => new Tab(base, clock, `tab${i}`, `n${i % 7}`));
    const present = new Map<Tab, string | null>(tabs.map((t) => [t, null]));
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const plans = tabs.map(() =>
      Array.from({ length: 25 }, () => [rand(5), rand(scopes.length), rand(tabs.length)]),
    );

    await Promise.all(
      tabs.map(async (tab, i) => {
        for (const [op, s, other] of plans[i]) {
          const scope = scopes[s];
          if (op === 0 || present.get(tab) === null) {
            await tab.join(scope);
            present.set(tab, scope);
          } else if (op === 1) {
            await tab.move(scope);
            present.set(tab, scope);
          } else if (op === 2) {
            await tab.leave();
            present.set(tab, null);
          } else if (op === 3) {
            // Someone else's client id with a guessed lease: always refused.
            const victim = tabs[other];
            for (const path of ["/presence/leave", "/presence/move"]) {
              const res = await fetch(`${base}${path}`, {
                method: "POST",
                body: JSON.stringify({
                  gallery_id: scope,
                  from_gallery_id: scope,
                  to_gallery_id: "/evil",
                  client_id: victim.clientId,
                  lease_id: "guess",
                }),
              });
              // A leave of an absent session is a harmless 200 removed:false.
              if (path === "/presence/move" || res.status !== 200) expect(res.status).toBe(409);
              else expect(((await res.json()) as { removed: boolean }).removed).toBe(false);
            }
          } else {
            await tab.join(present.get(tab)!);
          }
        }
      }),
    );

    for (const scope of [...scopes, "/evil"]) {
      const expected = [...present.values()].filter((s) => s === scope).length;
      expect(tracker.counts(scope).viewing).toBe(expected);
      await obs.until(scope, { viewing: expected });
    }
    const d = tracker.diagnostics();
    expect(d.active_clients).toBe([...present.values()].filter((s) => s !== null).length);
  }, 30_000);
});
