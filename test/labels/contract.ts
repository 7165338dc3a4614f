/**
 * The label store's contract through HTTP, one suite for both stores: the
 * local journal (test/labels/routes.test.ts runs it) and Redis
 * (test/scale/redis-contract.test.ts). `harness` opens a store of the backend
 * with the label routes over it; `dir` reopens the same one (a restart).
 */
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import { exportCsv, exportRows } from "../../src/labels/export.ts";
import { JOURNAL_FILE } from "../../src/labels/recovery.ts";
import type { LabelStoreApi } from "../../src/labels/store-api.ts";
import {
  call,
  GALLERY_PATHS,
  type Harness,
  type HarnessOptions,
  newKey,
  parseCsv,
  patch,
  StubGallery,
} from "./helpers.ts";

const itemUrl = (p: string) => `/item?path=${encodeURIComponent(p)}`;

export function labelContract(
  harness: (opts?: HarnessOptions) => Promise<Harness<LabelStoreApi>>,
): void {
  describe("records and patches", () => {
    test("L1: a never-written item reads as version 1 with empty labels and an ETag", async () => {
      const h = await harness();
      const r = await call(h.app, "GET", itemUrl("/a.jpg"));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        path: "/a.jpg",
        star: null,
        tags: [],
        notes: "",
        metrics: {},
        flag: null,
        color: null,
        version: 1,
        updated_at: null,
        updated_by: null,
      });
      expect(r.headers.get("etag")).toBe('W/"1"');
      await h.close();
    });

    test("L2: a/b.jpg, /a/b.jpg and /a//b.jpg are one record, answered under the canonical path", async () => {
      const h = await harness();
      const w = await patch(h.app, "animals/cat.jpg", { base_version: 1, set_star: 4 });
      expect(w.status).toBe(200);
      expect(w.body.path).toBe("/animals/cat.jpg");
      for (const spelling of [
        "/animals/cat.jpg",
        "/animals//cat.jpg",
        "animals/./cat.jpg",
        "\\animals\\cat.jpg",
      ]) {
        const r = await call(h.app, "GET", itemUrl(spelling));
        expect(r.body).toMatchObject({ path: "/animals/cat.jpg", star: 4, version: 2 });
      }
      const w2 = await patch(h.app, "/animals//cat.jpg", { base_version: 2, set_star: 5 });
      expect(w2.body.version).toBe(3);
      await h.settle();
      expect(h.events.map((e) => e.event.type === "item-updated" && e.event.data.path)).toEqual([
        "/animals/cat.jpg",
        "/animals/cat.jpg",
      ]);
      await h.close();
    });

    test("L3: only the fields present change", async () => {
      const h = await harness();
      await patch(h.app, "/a.jpg", {
        base_version: 1,
        set_star: 3,
        set_notes: "keep",
        set_tags: ["x"],
      });
      const r = await patch(h.app, "/a.jpg", { base_version: 2, set_star: 1 });
      expect(r.body).toMatchObject({
        star: 1,
        notes: "keep",
        tags: ["x"],
        version: 3,
        changed_fields: ["star"],
      });
      await h.close();
    });

    test("L4: tags are trimmed, empties dropped, de-duplicated in order", async () => {
      const h = await harness();
      const r = await patch(h.app, "/a.jpg", {
        base_version: 1,
        set_tags: [" b ", "a", "", "b", "  "],
      });
      expect(r.body.tags).toEqual(["b", "a"]);
      const r2 = await patch(h.app, "/a.jpg", { add_tags: ["c", " a"], remove_tags: ["b"] });
      expect(r2.body.tags).toEqual(["a", "c"]);
      await h.close();
    });

    test("L5: set_metrics merges, null removes, non-finite numbers are refused", async () => {
      const h = await harness();
      await patch(h.app, "/a.jpg", { set_metrics: { score: 0.5, blur: 2 } });
      const r = await patch(h.app, "/a.jpg", { set_metrics: { score: 0.7, blur: null, new: -1 } });
      expect(r.body.metrics).toEqual({ score: 0.7, new: -1 });
      const bad = await call(h.app, "PATCH", itemUrl("/a.jpg"), {
        body: '{"set_metrics":{"x":1e999}}',
        key: newKey(),
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: "validation_error", field: "set_metrics.x" });
      await h.close();
    });

    test("L5: every valid metric name works, __proto__, constructor and toString included, across restarts", async () => {
      const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
      const metrics = Object.fromEntries(names.map((n, i) => [n, i + 1]));
      // Built as text: an object literal with a __proto__ key would set the prototype instead.
      const body = `{"set_metrics":{${names.map((n, i) => `"${n}":${i + 1}`).join(",")}}}`;
      const first = await harness({ snapshotOnClose: false });
      const w = await call(first.app, "PATCH", itemUrl("/a.jpg"), { body, key: newKey() });
      expect(w.status).toBe(200);
      expect(Object.entries(JSON.parse(w.text).metrics)).toEqual(Object.entries(metrics));
      // PUT and batch take the same names; null removes one like any other.
      const put = await call(first.app, "PUT", itemUrl("/b.jpg"), {
        body: '{"metrics":{"__proto__":7,"toString":8}}',
      });
      expect(Object.keys(JSON.parse(put.text).metrics).sort()).toEqual(["__proto__", "toString"]);
      const batch = await call(first.app, "POST", "/items/patch", {
        key: newKey(),
        body: '{"patches":[{"path":"/c.jpg","set_metrics":{"__proto__":9}},{"path":"/b.jpg","set_metrics":{"__proto__":null}}]}',
      });
      expect(batch.status).toBe(200);
      const readBack = async (
        h: Awaited<ReturnType<typeof harness>>,
      ): Promise<Record<string, [string, unknown][]>> => {
        const a = JSON.parse((await call(h.app, "GET", itemUrl("/a.jpg"))).text).metrics;
        const b = JSON.parse((await call(h.app, "GET", itemUrl("/b.jpg"))).text).metrics;
        const c = JSON.parse((await call(h.app, "GET", itemUrl("/c.jpg"))).text).metrics;
        return { a: Object.entries(a), b: Object.entries(b), c: Object.entries(c) };
      };
      const want: Record<string, [string, unknown][]> = {
        a: names.map((n, i): [string, unknown] => [n, i + 1]),
        b: [["toString", 8]],
        c: [["__proto__", 9]],
      };
      expect(await readBack(first)).toEqual(want);
      // The CSV writer over the store's records (the /export route itself: test/routes/export.test.ts).
      const gallery = new StubGallery(GALLERY_PATHS);
      const images = GALLERY_PATHS.map((p) => gallery.get(p)!);
      const csv = parseCsv(exportCsv(exportRows(images, first.store)));
      expect(csv.find((r) => r.path === "/a.jpg")?.["metrics.__proto__"]).toBe("1");
      await first.close();
      // Once from the journal alone, then from the snapshot the second close writes.
      for (const snapshotOnClose of [true, false]) {
        const h = await harness({ dir: first.dir, snapshotOnClose });
        expect(await readBack(h)).toEqual(want);
        await h.close();
      }
    });

    test("L6: an accepted write bumps the version and is stamped by the server", async () => {
      const h = await harness();
      const t0 = Date.now();
      const r = await patch(h.app, "/a.jpg", {
        base_version: 1,
        set_star: 2,
        updated_at: "1999",
      } as never);
      expect(r.status).toBe(400); // clients cannot set updated_at
      const ok = await patch(
        h.app,
        "/a.jpg",
        { base_version: 1, set_star: 2 },
        {
          headers: { "X-Lenslet-Name": "Ana", "X-Lenslet-Client": "k3f9" },
        },
      );
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({
        version: 2,
        star: 2,
        updated_by: "Ana (k3f9)",
        merged: false,
        persistence: "saved",
      });
      expect(ok.body.changed_fields).toEqual(["star"]);
      const at = String(ok.body.updated_at);
      expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(at)).toBeGreaterThanOrEqual(t0 - 5);
      await h.settle();
      const ev = h.events.find((e) => e.event.type === "item-updated");
      expect(ok.body.event_id).toBe(ev?.id as number);
      expect(ok.headers.get("etag")).toBe('W/"2"');
      expect(ev?.event.data).toMatchObject({
        path: "/a.jpg",
        version: 2,
        client_id: "k3f9",
        changed_fields: ["star"],
      });
      await h.close();
    });

    test('L7: the base version comes from base_version or If-Match (12, "12", W/"12")', async () => {
      const h = await harness();
      let v = 1;
      for (const ifMatch of [`${v}`, `"${v + 1}"`, `W/"${v + 2}"`]) {
        const r = await patch(
          h.app,
          "/a.jpg",
          { set_star: v % 5 },
          { headers: { "If-Match": ifMatch } },
        );
        expect(r.status).toBe(200);
        expect(r.body.version).toBe(++v);
      }
      const bad = await patch(h.app, "/a.jpg", { set_star: 1 }, { headers: { "If-Match": "abc" } });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: "validation_error", field: "If-Match" });
      await h.close();
    });

    test("L7: a stale base → 409 version_conflict with the current record; nothing changes", async () => {
      const h = await harness();
      await patch(h.app, "/a.jpg", { base_version: 1, set_star: 3 });
      await h.settle();
      const events = h.events.length;
      const r = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 5, add_tags: ["x"] });
      expect(r.status).toBe(409);
      expect(r.body.error).toBe("version_conflict");
      expect(r.body.current).toMatchObject({ path: "/a.jpg", star: 3, version: 2, tags: [] });
      expect((await call(h.app, "GET", itemUrl("/a.jpg"))).body).toMatchObject({
        star: 3,
        version: 2,
      });
      await h.settle();
      expect(h.events.length).toBe(events);
      await h.close();
    });

    test("L8: tag add/remove and metric patches merge onto the current version, with or without a base", async () => {
      const h = await harness();
      await patch(h.app, "/a.jpg", { base_version: 1, set_star: 3 });
      const stale = await patch(h.app, "/a.jpg", { base_version: 1, add_tags: ["x"] });
      expect(stale.status).toBe(200);
      expect(stale.body).toMatchObject({ version: 3, star: 3, tags: ["x"], merged: true });
      const none = await patch(h.app, "/a.jpg", { remove_tags: ["x"], set_metrics: { s: 1 } });
      expect(none.body).toMatchObject({ version: 4, tags: [], metrics: { s: 1 }, merged: true });
      const current = await patch(h.app, "/a.jpg", { base_version: 4, add_tags: ["y"] });
      expect(current.body.merged).toBe(false);
      await h.close();
    });

    test("L9: a patch that changes nothing bumps nothing and publishes nothing", async () => {
      const h = await harness();
      await patch(h.app, "/a.jpg", { base_version: 1, set_star: 3, set_tags: ["x"] });
      await h.settle();
      const events = h.events.length;
      const rev = h.store.revision;
      for (const body of [
        { base_version: 2, set_star: 3 },
        { add_tags: ["x"] },
        { remove_tags: ["nope"] },
        {},
      ]) {
        const r = await patch(h.app, "/a.jpg", body);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ version: 2, event_id: null, changed_fields: [] });
      }
      await h.settle();
      expect(h.events.length).toBe(events);
      expect(h.store.revision).toBe(rev);
      await h.close();
    });

    test("D16 R2: changedSince lists the paths written after a revision, each once; null once the feed is past it", async () => {
      // A feed of 2 writes (trimmed past 4): small enough to run out in a test.
      const h = await harness({ changeFeed: 2 });
      const r0 = h.store.revision;
      expect(h.store.changedSince(r0)).toEqual([]);
      expect((await patch(h.app, "/a.jpg", { add_tags: ["one"] })).status).toBe(200);
      const r1 = h.store.revision;
      await patch(h.app, "/b.jpg", { add_tags: ["two"] });
      await patch(h.app, "/a.jpg", { add_tags: ["three"] });
      await h.settle();
      expect(h.store.changedSince(r0)?.sort()).toEqual(["/a.jpg", "/b.jpg"]);
      expect(h.store.changedSince(r1)?.sort()).toEqual(["/a.jpg", "/b.jpg"]);
      expect(h.store.changedSince(h.store.revision)).toEqual([]);
      // A write that changes nothing is not in the feed.
      const r2 = h.store.revision;
      await patch(h.app, "/b.jpg", { add_tags: ["two"] });
      await h.settle();
      expect(h.store.changedSince(r2)).toEqual([]);
      for (const p of ["/c.jpg", "/animals/cat.jpg", "/animals/dog.jpg"])
        await patch(h.app, p, { add_tags: ["four"] });
      await h.settle();
      const r3 = h.store.revision;
      await patch(h.app, "/animals/deep/owl.jpg", { add_tags: ["five"] });
      await h.settle();
      expect(h.store.changedSince(r0)).toBeNull();
      expect(h.store.changedSince(r3)).toEqual(["/animals/deep/owl.jpg"]);
      await h.close();
    });

    test("L10: request errors carry the seeds' names", async () => {
      const h = await harness();
      const noBase = await patch(h.app, "/a.jpg", { set_star: 2 });
      expect(noBase.status).toBe(400);
      expect(noBase.body).toMatchObject({ error: "missing_base_version", field: "base_version" });
      const noBaseNotes = await patch(h.app, "/a.jpg", { set_notes: "x", add_tags: ["y"] });
      expect(noBaseNotes.body.error).toBe("missing_base_version");
      const mismatch = await patch(
        h.app,
        "/a.jpg",
        { base_version: 1, set_star: 2 },
        { headers: { "If-Match": "2" } },
      );
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.error).toBe("version_mismatch");
      const tooBig = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 9 });
      expect(tooBig.body).toMatchObject({ error: "validation_error", field: "set_star" });
      const unknown = await patch(h.app, "/a.jpg", { base_version: 1, star: 2 });
      expect(unknown.body.error).toBe("validation_error");
      const notJson = await call(h.app, "PATCH", itemUrl("/a.jpg"), {
        body: "{oops",
        key: newKey(),
      });
      expect(notJson.body).toMatchObject({ error: "validation_error", field: "body" });
      const noPath = await call(h.app, "PATCH", "/item", {
        body: { base_version: 1 },
        key: newKey(),
      });
      expect(noPath.body).toMatchObject({ error: "invalid_path", field: "path" });
      const outside = await call(h.app, "GET", itemUrl("/../etc/passwd"));
      expect(outside.status).toBe(400);
      expect(outside.body.error).toBe("invalid_path");
      const missing = await patch(h.app, "/nope.jpg", { base_version: 1, set_star: 1 });
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe("not_found");
      expect((await call(h.app, "GET", itemUrl("/nope.jpg"))).status).toBe(404);
      await h.close();
    });

    test("L11: PUT replaces star, tags and notes, keeps metrics unless given, and is versioned", async () => {
      const h = await harness();
      await patch(h.app, "/a.jpg", {
        base_version: 1,
        set_star: 3,
        set_notes: "n",
        set_metrics: { s: 1 },
      });
      const put = await call(h.app, "PUT", itemUrl("/a.jpg"), { body: { tags: ["t"] } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        star: null,
        tags: ["t"],
        notes: "",
        metrics: { s: 1 },
        version: 3,
      });
      const stale = await call(h.app, "PUT", itemUrl("/a.jpg"), {
        body: { star: 1, base_version: 2 },
      });
      expect(stale.status).toBe(409);
      const ifm = await call(h.app, "PUT", itemUrl("/a.jpg"), {
        body: { star: 1, metrics: {} },
        headers: { "If-Match": 'W/"3"' },
      });
      expect(ifm.body).toMatchObject({ star: 1, tags: [], metrics: {}, version: 4 });
      // With a key it is idempotent like PATCH.
      const key = newKey();
      const a = await call(h.app, "PUT", itemUrl("/a.jpg"), { body: { star: 5 }, key });
      const b = await call(h.app, "PUT", itemUrl("/a.jpg"), { body: { star: 5 }, key });
      expect(b.text).toBe(a.text);
      expect(h.store.get("/a.jpg").version).toBe(5);
      await h.close();
    });
  });

  describe("batch", () => {
    test("L12: one result per element, in order, with per-element errors; one journal group", async () => {
      const h = await harness({ snapshotOnClose: false });
      await patch(h.app, "/b.jpg", { base_version: 1, set_star: 1 });
      const r = await call(h.app, "POST", "/items/patch", {
        key: newKey(),
        body: {
          patches: [
            { path: "a.jpg", set_metrics: { score: 0.9 } },
            { path: "/b.jpg", base_version: 1, set_star: 2 },
            { path: "/c.jpg", set_star: 2 },
            { path: "/missing.jpg", add_tags: ["x"] },
            { path: "/../x", add_tags: ["x"] },
            { path: "/animals/cat.jpg", base_version: 1, set_notes: "meow", add_tags: ["cat"] },
            { path: "/a.jpg", add_tags: ["again"] },
          ],
        },
      });
      expect(r.status).toBe(200);
      const res = r.body.results as Record<string, unknown>[];
      expect(res.map((x) => [x.path, x.status])).toEqual([
        ["/a.jpg", 200],
        ["/b.jpg", 409],
        ["/c.jpg", 400],
        ["/missing.jpg", 404],
        ["/../x", 400],
        ["/animals/cat.jpg", 200],
        ["/a.jpg", 200],
      ]);
      expect(res[0]).toMatchObject({ metrics: { score: 0.9 }, version: 2, merged: true });
      expect(res[1]).toMatchObject({ error: "version_conflict", current: { star: 1, version: 2 } });
      expect(res[2]).toMatchObject({ error: "missing_base_version" });
      expect(res[3]).toMatchObject({ error: "not_found" });
      expect(res[4]).toMatchObject({ error: "invalid_path" });
      expect(res[5]).toMatchObject({ notes: "meow", tags: ["cat"], version: 2 });
      // Two patches to one item in one batch apply in order.
      expect(res[6]).toMatchObject({ metrics: { score: 0.9 }, tags: ["again"], version: 3 });
      expect(r.body).toMatchObject({ applied: 3, persistence: "saved" });
      await h.close();
      if (h.kind !== "local") return;
      const lines = fs
        .readFileSync(`${h.dir}/${JOURNAL_FILE}`, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const group = lines.filter((l) => Array.isArray(l.g));
      expect(group.map((l) => l.g)).toEqual([
        [0, 4],
        [1, 4],
        [2, 4],
        [3, 4],
      ]);
      expect(group.at(-1).t).toBe("resp");
    });

    test("L12: up to 1,000 patches per call; more is a validation error", async () => {
      const paths = Array.from({ length: 1000 }, (_, i) => `/many/${i}.jpg`);
      const h = await harness({ paths });
      const ok = await call(h.app, "POST", "/items/patch", {
        key: newKey(),
        body: { patches: paths.map((path, i) => ({ path, set_metrics: { score: i } })) },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.applied).toBe(1000);
      expect(h.store.get("/many/999.jpg").metrics).toEqual({ score: 999 });
      expect(h.metrics.length).toBe(1000);
      const tooMany = await call(h.app, "POST", "/items/patch", {
        key: newKey(),
        body: { patches: [...paths, "/many/0.jpg"].map((path) => ({ path, add_tags: ["x"] })) },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body).toMatchObject({ error: "validation_error", field: "patches" });
      await h.close();
    });
  });

  describe("idempotency", () => {
    test("I1: PATCH and batch need an Idempotency-Key; PUT does not", async () => {
      const h = await harness();
      const p = await call(h.app, "PATCH", itemUrl("/a.jpg"), {
        body: { base_version: 1, set_star: 1 },
      });
      expect(p.status).toBe(400);
      expect(p.body).toMatchObject({ error: "missing_idempotency_key", field: "Idempotency-Key" });
      const b = await call(h.app, "POST", "/items/patch", {
        body: { patches: [{ path: "/a.jpg", add_tags: ["x"] }] },
      });
      expect(b.body.error).toBe("missing_idempotency_key");
      expect(h.store.get("/a.jpg").version).toBe(1);
      const put = await call(h.app, "PUT", itemUrl("/a.jpg"), { body: { star: 1 } });
      expect(put.status).toBe(200);
      await h.close();
    });

    test("I2: the same key returns the identical response and applies nothing twice", async () => {
      const h = await harness();
      const key = newKey();
      const body = { base_version: 1, set_star: 4, add_tags: ["x"] };
      const first = await patch(h.app, "/a.jpg", body, { key });
      const again = await patch(h.app, "/a.jpg", body, { key });
      expect(again.status).toBe(first.status);
      expect(again.text).toBe(first.text);
      expect(again.headers.get("idempotency-replayed")).toBe("true");
      expect(first.headers.get("idempotency-replayed")).toBeNull();
      expect(h.store.get("/a.jpg").version).toBe(2);
      // A conflict answer is kept too: it does not turn into a success later.
      const k2 = newKey();
      const c1 = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 1 }, { key: k2 });
      const c2 = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 1 }, { key: k2 });
      expect([c1.status, c2.status]).toEqual([409, 409]);
      expect(c2.text).toBe(c1.text);
      await h.close();
    });

    test("I2: concurrent requests with one key apply once and all get the same answer", async () => {
      const h = await harness();
      const key = newKey();
      const all = await Promise.all(
        Array.from({ length: 12 }, () =>
          patch(h.app, "/a.jpg", { add_tags: ["once"], set_metrics: { n: 1 } }, { key }),
        ),
      );
      expect(new Set(all.map((r) => r.text)).size).toBe(1);
      expect(h.store.get("/a.jpg").version).toBe(2);
      expect(all.filter((r) => r.headers.get("idempotency-replayed") === "true").length).toBe(11);
      await h.close();
    });

    test("I3: the same key on a different request → 422 idempotency_key_reused, nothing applied", async () => {
      const h = await harness();
      const key = newKey();
      await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 }, { key });
      const otherBody = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 5 }, { key });
      expect(otherBody.status).toBe(422);
      expect(otherBody.body.error).toBe("idempotency_key_reused");
      const otherPath = await patch(h.app, "/b.jpg", { base_version: 1, set_star: 4 }, { key });
      expect(otherPath.status).toBe(422);
      const otherIfMatch = await patch(
        h.app,
        "/a.jpg",
        { set_star: 4 },
        { key, headers: { "If-Match": "1" } },
      );
      expect(otherIfMatch.status).toBe(422);
      // Key order in the body does not make it a different request.
      const same = await call(h.app, "PATCH", itemUrl("/a.jpg"), {
        body: '{"set_star":4,"base_version":1}',
        key,
      });
      expect(same.status).toBe(200);
      expect(h.store.get("/a.jpg")).toMatchObject({ star: 4, version: 2 });
      expect(h.store.get("/b.jpg").version).toBe(1);
      await h.close();
    });

    test("I4: answers survive a restart: applied, no-op, conflict and batch", async () => {
      const first = await harness({ snapshotOnClose: false });
      const keys = { applied: newKey(), noop: newKey(), conflict: newKey(), batch: newKey() };
      const a = await patch(
        first.app,
        "/a.jpg",
        { base_version: 1, set_star: 4 },
        { key: keys.applied },
      );
      const n = await patch(
        first.app,
        "/a.jpg",
        { base_version: 2, set_star: 4 },
        { key: keys.noop },
      );
      const c = await patch(
        first.app,
        "/a.jpg",
        { base_version: 1, set_star: 2 },
        { key: keys.conflict },
      );
      const batchBody = {
        patches: [
          { path: "/b.jpg", add_tags: ["x"] },
          { path: "/c.jpg", set_star: 1 },
        ],
      };
      const b = await call(first.app, "POST", "/items/patch", { key: keys.batch, body: batchBody });
      await first.close();

      for (const snapshot of [false, true]) {
        const h = await harness({ dir: first.dir, snapshotOnClose: snapshot });
        expect(
          (await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 }, { key: keys.applied }))
            .text,
        ).toBe(a.text);
        expect(
          (await patch(h.app, "/a.jpg", { base_version: 2, set_star: 4 }, { key: keys.noop })).text,
        ).toBe(n.text);
        const c2 = await patch(
          h.app,
          "/a.jpg",
          { base_version: 1, set_star: 2 },
          { key: keys.conflict },
        );
        expect([c2.status, c2.text]).toEqual([409, c.text]);
        expect(
          (await call(h.app, "POST", "/items/patch", { key: keys.batch, body: batchBody })).text,
        ).toBe(b.text);
        expect(
          (await patch(h.app, "/a.jpg", { base_version: 1, set_star: 5 }, { key: keys.applied }))
            .status,
        ).toBe(422);
        expect(h.store.get("/a.jpg").version).toBe(2);
        expect(h.store.get("/b.jpg").version).toBe(2);
        // First round: from the journal. Second round: from the snapshot written at the first close.
        await h.close();
      }
    });

    test("I5: a failed (503) request is not remembered: the retry with the same key is applied", async () => {
      const h = await harness();
      const key = newKey();
      h.breakStorage();
      const failed = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 }, { key });
      expect(failed.status).toBe(503);
      await h.healStorage();
      const retry = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 }, { key });
      expect(retry.status).toBe(200);
      expect(retry.body.version).toBe(2);
      await h.close();
    });

    test("I5: keys expire after their TTL", async () => {
      let now = 1_000_000;
      const h = await harness({ now: () => now, idempotencyTtlMs: 600_000 });
      const key = newKey();
      await patch(h.app, "/a.jpg", { add_tags: ["x"] }, { key });
      now += 599_000;
      expect((await patch(h.app, "/a.jpg", { add_tags: ["y"] }, { key })).status).toBe(422); // still known
      now += 2_000;
      expect((await patch(h.app, "/a.jpg", { add_tags: ["y"] }, { key })).status).toBe(200); // forgotten after 10 min
      expect((await h.health()).idempotency_keys).toBe(1);
      await h.close();
    });
  });

  describe("durability through HTTP (contract)", () => {
    test("J4, R9: a write the storage refuses → 503 label_persistence_unavailable with Retry-After, nothing changed; heals", async () => {
      const h = await harness();
      h.breakStorage();
      const r = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 });
      expect(r.status).toBe(503);
      expect(r.body.error).toBe("label_persistence_unavailable");
      expect(r.headers.get("retry-after")).toBe("1");
      expect((await call(h.app, "GET", itemUrl("/a.jpg"))).body.version).toBe(1);
      const batch = await call(h.app, "POST", "/items/patch", {
        key: newKey(),
        body: { patches: [{ path: "/a.jpg", add_tags: ["x"] }] },
      });
      expect(batch.status).toBe(503);
      expect(await h.health()).toMatchObject({ state: "failed" });
      await h.healStorage();
      expect((await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 })).status).toBe(200);
      await h.close();
    });
  });
}
