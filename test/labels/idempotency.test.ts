/**
 * Idempotency memory through HTTP: every key lives its lifetime however many
 * writes follow, a full table refuses new keys instead of forgetting young
 * ones, answers are compact on disk, and answers whose records have since
 * moved on come back identical after a restart.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { JOURNAL_FILE, SNAPSHOT_FILE } from "../../src/labels/recovery.ts";
import type { BatchItem, WriteContext } from "../../src/labels/store.ts";
import { asUnflagged, call, cleanupTempDirs, harness, newKey, patch, tempDir } from "./helpers.ts";

afterAll(cleanupTempDirs);

describe("lifetime and bound", () => {
  test("I5: a retry after 100,001 other keyed writes gets the identical answer and applies nothing", async () => {
    const h = await harness({ dir: null, mode: "memory" });
    const key = newKey();
    const body = { base_version: 1, set_star: 4, add_tags: ["first"] };
    const first = await patch(h.app, "/a.jpg", body, { key });
    expect(first.status).toBe(200);
    const others = 100_001;
    for (let i = 0; i < others; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, others - i) }, (_, j) =>
          patch(h.app, "/b.jpg", { add_tags: [`t${(i + j) % 7}`] }, { key: `other-${i + j}` }),
        ),
      );
    }
    // Someone else moved /a.jpg on meanwhile: the retry must not overwrite it.
    await patch(h.app, "/a.jpg", { base_version: 2, set_star: 1 });
    const retry = await patch(h.app, "/a.jpg", body, { key });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    expect(h.store.get("/a.jpg")).toMatchObject({ star: 1, version: 3 });
    expect(h.store.health().idempotency_keys).toBe(others + 2);
    await h.close();
  }, 60_000);

  test("I5: a full table refuses new keys with 503 and Retry-After, applies nothing, and takes them again once keys expire", async () => {
    let now = 5_000_000;
    const h = await harness({
      now: () => now,
      idempotencyTtlMs: 600_000,
      idempotencyBudgetBytes: 4096,
    });
    const sent: { key: string; text: string; path: string; body: Record<string, unknown> }[] = [];
    let refused: Awaited<ReturnType<typeof patch>> | null = null;
    for (let i = 0; i < 100 && !refused; i++) {
      const key = newKey();
      const path = i % 2 ? "/a.jpg" : "/b.jpg";
      const body = { add_tags: [`t${i}`] };
      const r = await patch(h.app, path, body, { key });
      if (r.status === 503) refused = r;
      else sent.push({ key, text: r.text, path, body });
      now += 1000;
    }
    expect(refused).not.toBeNull();
    const r = refused as NonNullable<typeof refused>;
    expect(r.body.error).toBe("idempotency_table_full");
    // The oldest key was taken at 5,000,000 and lives 600 s.
    const wait = Math.ceil((5_000_000 + 600_000 - now + 1000) / 1000);
    expect(Number(r.headers.get("retry-after"))).toBe(wait);
    expect(r.body.message).toContain(`${wait} s`);
    const versions = { a: h.store.get("/a.jpg").version, b: h.store.get("/b.jpg").version };
    expect(versions.a + versions.b - 2).toBe(sent.length); // the refused write applied nothing
    // Every remembered key still answers, identically; none was forgotten to make room.
    for (const s of sent)
      expect((await patch(h.app, s.path, s.body, { key: s.key })).text).toBe(s.text);
    // A batch is refused alike.
    const batch = await call(h.app, "POST", "/items/patch", {
      key: newKey(),
      body: { patches: [{ path: "/c.jpg", add_tags: ["x"] }] },
    });
    expect(batch.status).toBe(503);
    expect(h.store.get("/c.jpg").version).toBe(1);
    // Once the oldest keys pass their lifetime, new keys are taken again.
    now = 5_000_000 + 600_000 + 5_000;
    const later = await patch(h.app, "/c.jpg", { add_tags: ["later"] }, { key: newKey() });
    expect(later.status).toBe(200);
    expect(h.store.health().idempotency_bytes).toBeLessThanOrEqual(4096 + 2048);
    await h.close();
  });

  test("J5: keyed no-ops and conflicts are journal lines and count toward compaction", async () => {
    const h = await harness({ snapshotOnClose: false });
    await patch(h.app, "/a.jpg", { base_version: 1, set_star: 2 });
    const before = h.store.health().journal_lines;
    for (let i = 0; i < 5; i++) await patch(h.app, "/a.jpg", { base_version: 2, set_star: 2 }); // no-op
    for (let i = 0; i < 3; i++) await patch(h.app, "/a.jpg", { base_version: 1, set_star: 3 }); // conflict
    const lines = fs.readFileSync(`${h.dir}/${JOURNAL_FILE}`, "utf8").split("\n").filter(Boolean);
    expect(lines.length).toBe(1 + 1 + 8);
    expect(h.store.health().journal_lines).toBe(before + 8);
    await h.close();
  });
});

describe("compact answers", () => {
  test("I6: a batch answer takes a few bytes per item on disk, in the journal and in the snapshot", async () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `/f/img-${i}.jpg`);
    const h = await harness({ paths, snapshotOnClose: false });
    const batches = 50;
    for (let b = 0; b < batches; b++) {
      const r = await call(h.app, "POST", "/items/patch", {
        key: newKey(),
        body: {
          patches: paths.map((path, i) => ({
            path,
            set_metrics: { score: (b * 1000 + i) / 1e6, blur: b },
          })),
        },
      });
      expect(r.body.applied).toBe(1000);
    }
    const journal = fs.readFileSync(`${h.dir}/${JOURNAL_FILE}`, "utf8").split("\n").filter(Boolean);
    const resp = journal.filter((l) => l.includes('"t":"resp"'));
    expect(resp.length).toBe(batches);
    const perItem = (bytes: number) => bytes / (batches * 1000);
    expect(perItem(resp.reduce((n, l) => n + l.length, 0))).toBeLessThan(24);
    await h.store.snapshot();
    const snap = fs.readFileSync(`${h.dir}/${SNAPSHOT_FILE}`, "utf8").split("\n").filter(Boolean);
    const idem = snap.filter((l) => l.startsWith('{"t":"idem"'));
    expect(idem.length).toBe(batches);
    expect(perItem(idem.reduce((n, l) => n + l.length, 0))).toBeLessThan(24);
    // Older versions the answers show are kept once each, beside the current records.
    const vers = snap.filter((l) => l.startsWith('{"t":"ver"'));
    expect(vers.length).toBe((batches - 1) * 1000);
    // In memory: the superseded records, once each, plus a few bytes per item.
    const health = h.store.health();
    expect(health.idempotency_keys).toBe(batches);
    await h.close();
  }, 60_000);

  test("I4: answers whose records have moved on come back identical after a restart (journal, then snapshot)", async () => {
    const first = await harness({ snapshotOnClose: false });
    const k = { applied: newKey(), noop: newKey(), conflict: newKey(), batch: newKey() };
    const applied = await patch(
      first.app,
      "/a.jpg",
      { base_version: 1, set_star: 4 },
      { key: k.applied },
    );
    const noop = await patch(
      first.app,
      "/a.jpg",
      { base_version: 2, set_star: 4 },
      { key: k.noop },
    );
    const conflict = await patch(
      first.app,
      "/a.jpg",
      { base_version: 1, set_star: 2 },
      { key: k.conflict },
    );
    // One batch: a no-op on /b.jpg's first version, then writes to it, a conflict after them, a refused path.
    const batchBody = {
      patches: [
        { path: "/b.jpg", add_tags: [] },
        { path: "/b.jpg", add_tags: ["x"] },
        { path: "/b.jpg", base_version: 1, set_star: 1 },
        { path: "/b.jpg", set_metrics: { ["__proto__"]: 1, s: 2 } },
        { path: "/not-there.jpg", add_tags: ["x"] },
        { path: "/a.jpg", add_tags: ["y"], base_version: 1 },
      ],
    };
    const batch = await call(first.app, "POST", "/items/patch", { key: k.batch, body: batchBody });
    const kinds = (batch.body.results as { status: number }[]).map((r) => r.status);
    expect(kinds).toEqual([200, 200, 409, 200, 404, 200]);
    // Everything moves on.
    await patch(first.app, "/a.jpg", { base_version: 3, set_star: 5, set_notes: "later" });
    await patch(first.app, "/b.jpg", { base_version: 3, set_star: 3 });
    await first.close();
    const retry = async (h: Awaited<ReturnType<typeof harness>>) => [
      (await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 }, { key: k.applied })).text,
      (await patch(h.app, "/a.jpg", { base_version: 2, set_star: 4 }, { key: k.noop })).text,
      (await patch(h.app, "/a.jpg", { base_version: 1, set_star: 2 }, { key: k.conflict })).text,
      (await call(h.app, "POST", "/items/patch", { key: k.batch, body: batchBody })).text,
    ];
    const want = [applied.text, noop.text, conflict.text, batch.text];
    for (const snapshotOnClose of [true, false]) {
      // First from the journal alone; the first close writes a snapshot, the second start reads it.
      const h = await harness({ dir: first.dir, snapshotOnClose });
      expect(await retry(h)).toEqual(want);
      expect(h.store.get("/a.jpg")).toMatchObject({ star: 5, version: 4 });
      expect(h.store.get("/b.jpg").version).toBe(4);
      expect(h.log.lines.filter((l) => l.startsWith("warn"))).toEqual([]);
      await h.close();
    }
  });
});

describe("files of the previous format", () => {
  test("I4: format-1 journal and snapshot (written by the code before compact answers) load, records and answers alike", async () => {
    const fixture = join(import.meta.dir, "fixtures", "format1");
    const dir = tempDir();
    // Stored under other names so that tools leave their bytes alone.
    const files = {
      "journal.lines": JOURNAL_FILE,
      "snapshot.lines": SNAPSHOT_FILE,
      "hwm.lines": "events.hwm",
    };
    for (const [from, to] of Object.entries(files)) {
      fs.copyFileSync(join(fixture, from), join(dir, to));
    }
    // Written before flags and colours: every record reads as unflagged (L19).
    const expected = asUnflagged(
      JSON.parse(fs.readFileSync(join(fixture, "expected.json"), "utf8")),
    );
    const h = await harness({ dir, now: () => expected.now, snapshotOnClose: false });
    for (const [path, rec] of Object.entries(expected.records)) {
      expect(h.store.get(path)).toEqual(rec as never);
    }
    const ctx = (key: string): WriteContext => ({
      updatedBy: "New (n1)",
      clientId: "n1",
      key,
      requestHash: `h-${key}`,
    });
    // The requests are as the fixture script sent them; with their keys, only the answer matters.
    const item = (path: string) => ({ path, fields: {}, baseVersion: null });
    const single = ["k-snap-applied", "k-applied", "k-noop", "k-conflict"];
    for (const key of single) {
      const r = await h.store.patch(item("/a.jpg"), ctx(key));
      expect(r.replayed).toBe(true);
      expect(JSON.parse(JSON.stringify(r.outcome))).toEqual(expected.answers[key]);
    }
    for (const key of ["k-snap-batch", "k-batch"]) {
      const r = await h.store.batch([item("/b.jpg") as BatchItem], ctx(key));
      expect(r.replayed).toBe(true);
      expect(JSON.parse(JSON.stringify(r.outcome))).toEqual(expected.answers[key]);
    }
    await h.close();
  });
});
