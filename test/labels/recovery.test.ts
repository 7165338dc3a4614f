/**
 * Startup recovery on real files: torn tails, damaged lines, damaged
 * snapshots, duplicate ids, compaction, event ids across restarts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { FaultSwitch } from "../../src/labels/faults.ts";
import { ID_FLOOR_FILE } from "../../src/labels/id-floor.ts";
import { encodeLine, scanLines } from "../../src/labels/lines.ts";
import {
  JOURNAL_FILE,
  LOSSES_FILE,
  RecoveryError,
  SNAPSHOT_FILE,
} from "../../src/labels/recovery.ts";
import { LabelStore, type LabelStoreOptions } from "../../src/labels/store.ts";
import { EventBus } from "../../src/live/bus.ts";
import {
  asUnflagged,
  CapturingLog,
  cleanupTempDirs,
  ctx,
  ManualTimers,
  tempDir,
} from "./helpers.ts";

afterAll(cleanupTempDirs);

async function open(dir: string, opts: Partial<LabelStoreOptions> = {}) {
  const log = new CapturingLog();
  const store = await LabelStore.open({
    dir,
    mode: "strict",
    log,
    snapshotOnClose: false,
    ...opts,
  });
  const bus = new EventBus({
    capacity: 100,
    firstId: store.firstEventId(),
    seed: store.recentEvents(100),
  });
  store.attach(bus);
  return { store, bus, log };
}

/** Writes star=i on /item-i.jpg for i in 1..n, returns the versions. */
async function writeItems(store: LabelStore, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) {
    await store.patch(
      { path: `/item-${i}.jpg`, fields: { set_star: i % 6, set_notes: `n${i}` }, baseVersion: 1 },
      ctx(),
    );
  }
}

function expectItems(store: LabelStore, from: number, to: number): void {
  for (let i = from; i <= to; i++) {
    const s = store.get(`/item-${i}.jpg`);
    expect(s.version).toBe(2);
    expect(s.notes).toBe(`n${i}`);
  }
}

function journalLines(dir: string): string[] {
  return fs.readFileSync(`${dir}/${JOURNAL_FILE}`, "utf8").split("\n").filter(Boolean);
}

function corruptLine(path: string, lineNo: number): void {
  const lines = fs.readFileSync(path, "utf8").split("\n");
  lines[lineNo - 1] = lines[lineNo - 1]
    .replace(/"n(\d)/, '"m$1')
    .replace('"last_ev":', '"last_ew":');
  fs.writeFileSync(path, lines.join("\n"));
}

/** A journal that still holds everything a snapshot also holds: a crash between snapshot and compaction. */
async function snapshotWithFullJournal(dir: string, n: number) {
  const { store } = await open(dir);
  await writeItems(store, 1, n);
  const full = fs.readFileSync(`${dir}/${JOURNAL_FILE}`);
  await store.snapshot();
  await store.close();
  fs.writeFileSync(`${dir}/${JOURNAL_FILE}`, full);
}

describe("recovery", () => {
  test("J6: restart replays the journal; journal lines carry the event ids", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 5);
    const last = a.store.lastEventId;
    await a.store.close();
    const b = await open(dir);
    expectItems(b.store, 1, 5);
    expect(b.store.lastEventId).toBe(last);
    const evs = journalLines(dir)
      .map((l) => JSON.parse(l))
      .filter((l) => l.t === "set")
      .map((l) => l.ev);
    expect(evs.length).toBe(5);
    expect(Math.max(...evs)).toBe(last);
    await b.store.close();
  });

  test("J6: paths that JSON escapes replay like any other", async () => {
    const dir = tempDir();
    const a = await open(dir);
    const odd = ['/say "cheese".jpg', "/tab\there.jpg", "/ünï/çødé.jpg"];
    for (const path of odd)
      await a.store.patch({ path, fields: { set_notes: path }, baseVersion: 1 }, ctx());
    await a.store.close();
    const b = await open(dir);
    for (const path of odd) expect(b.store.get(path)).toMatchObject({ notes: path, version: 2 });
    await b.store.close();
  });

  test("J6: lines whose event id was already applied are skipped", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 3);
    await a.store.close();
    // The same lines twice (e.g. a copy gone wrong): replay must not apply them twice.
    const body = journalLines(dir).slice(1);
    fs.appendFileSync(`${dir}/${JOURNAL_FILE}`, `${body.join("\n")}\n`);
    const b = await open(dir);
    expectItems(b.store, 1, 3);
    expect(b.log.has(/skipped 3 journal lines already applied/)).toBe(true);
    await b.store.close();
  });

  test("J7: a torn last line is cut, logged, and its bytes kept aside", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 4);
    await a.store.close();
    const path = `${dir}/${JOURNAL_FILE}`;
    const good = fs.statSync(path).size;
    const torn = encodeLine({ t: "set", ev: 99, path: "/item-99.jpg" }).slice(0, 40);
    fs.appendFileSync(path, torn);
    const b = await open(dir);
    expectItems(b.store, 1, 4);
    expect(b.store.get("/item-99.jpg").version).toBe(1);
    expect(fs.statSync(path).size).toBe(good);
    expect(b.log.has(/warn labels: cut a torn tail of 40 bytes \(journal line 6 onward\)/)).toBe(
      true,
    );
    const kept = fs.readdirSync(dir).filter((f) => f.startsWith(`${JOURNAL_FILE}.torn-`));
    expect(kept.length).toBe(1);
    expect(fs.readFileSync(`${dir}/${kept[0]}`, "utf8")).toBe(torn);
    // And the journal works after the cut.
    await writeItems(b.store, 5, 5);
    await b.store.close();
    const c = await open(dir);
    expectItems(c.store, 1, 5);
    await c.store.close();
  });

  test("J7: damaged last lines with nothing good after them are a torn tail too", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 4);
    await a.store.close();
    corruptLine(`${dir}/${JOURNAL_FILE}`, 5); // the last line (item 4)
    const b = await open(dir);
    expectItems(b.store, 1, 3);
    expect(b.store.get("/item-4.jpg").version).toBe(1);
    expect(b.log.has(/torn tail/)).toBe(true);
    await b.store.close();
  });

  test("J7: a batch group missing its last lines is not applied (it was never acknowledged)", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 1);
    await a.store.batch(
      [2, 3, 4].map((i) => ({
        path: `/item-${i}.jpg`,
        fields: { set_notes: `n${i}` },
        baseVersion: 1,
      })),
      ctx(),
    );
    await a.store.close();
    const lines = journalLines(dir);
    expect(lines.length).toBe(6); // head, item 1, 3 set lines + resp of the group
    fs.writeFileSync(`${dir}/${JOURNAL_FILE}`, `${lines.slice(0, 4).join("\n")}\n`); // lose the group's tail
    const b = await open(dir);
    expectItems(b.store, 1, 1);
    for (const i of [2, 3, 4]) expect(b.store.get(`/item-${i}.jpg`).version).toBe(1);
    expect(b.log.has(/torn tail/)).toBe(true);
    await b.store.close();
  });

  test("J8: a damaged line in the middle that the snapshot does not hold stops startup, naming file and line", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 6);
    await a.store.close();
    const path = `${dir}/${JOURNAL_FILE}`;
    corruptLine(path, 3);
    const before = fs.readFileSync(path);
    const listing = fs.readdirSync(dir).sort();
    let err: unknown = null;
    try {
      await LabelStore.open({ dir, mode: "strict", log: new CapturingLog() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecoveryError);
    expect((err as Error).message).toContain(`${path} line 3 is damaged (checksum)`);
    // Nothing touched: same bytes, no new files.
    expect(fs.readFileSync(path).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);
  });

  test("J8: a damaged middle line the snapshot holds is recovered; the damaged journal is kept", async () => {
    const dir = tempDir();
    await snapshotWithFullJournal(dir, 6);
    corruptLine(`${dir}/${JOURNAL_FILE}`, 3);
    const b = await open(dir);
    expectItems(b.store, 1, 6);
    expect(b.log.has(/line 3 was damaged but the snapshot held its content/)).toBe(true);
    const kept = fs.readdirSync(dir).filter((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`));
    expect(kept.length).toBe(1);
    // The fresh journal continues from the snapshot.
    const head = JSON.parse(journalLines(dir)[0]);
    expect(head.base_ev).toBe(b.store.lastEventId);
    await writeItems(b.store, 7, 7);
    await b.store.close();
    const c = await open(dir);
    expectItems(c.store, 1, 7);
    await c.store.close();
  });

  test("J9: a damaged snapshot is rebuilt from a journal that holds the whole history", async () => {
    const dir = tempDir();
    await snapshotWithFullJournal(dir, 5);
    corruptLine(`${dir}/${SNAPSHOT_FILE}`, 3);
    const b = await open(dir);
    expectItems(b.store, 1, 5);
    expect(b.log.has(/rebuilt it from the journal/)).toBe(true);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${SNAPSHOT_FILE}.corrupt-`))).toBe(true);
    await b.store.close();
    const c = await open(dir);
    expectItems(c.store, 1, 5);
    expect(c.log.lines.filter((l) => l.startsWith("warn"))).toEqual([]);
    await c.store.close();
  });

  test("J9: a damaged snapshot with a compacted journal stops startup, naming file and line", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 5);
    await a.store.snapshot();
    await writeItems(a.store, 6, 7);
    await a.store.close();
    const snap = `${dir}/${SNAPSHOT_FILE}`;
    corruptLine(snap, 1); // the header
    const before = fs.readFileSync(snap);
    await expect(LabelStore.open({ dir, mode: "strict", log: new CapturingLog() })).rejects.toThrow(
      `${snap} line 1 is unusable (checksum`,
    );
    expect(fs.readFileSync(snap).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).some((f) => f.includes(".corrupt-"))).toBe(false);
  });

  test("J9: a snapshot cut short (no end marker) counts as damaged", async () => {
    const dir = tempDir();
    await snapshotWithFullJournal(dir, 3);
    const snap = `${dir}/${SNAPSHOT_FILE}`;
    const lines = fs.readFileSync(snap, "utf8").split("\n").filter(Boolean);
    fs.writeFileSync(snap, `${lines.slice(0, -1).join("\n")}\n`);
    const b = await open(dir);
    expectItems(b.store, 1, 3);
    expect(b.log.has(/no end marker/)).toBe(true);
    await b.store.close();
  });

  test("J9: a missing snapshot under a compacted journal stops startup", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 3);
    await a.store.snapshot();
    await a.store.close();
    fs.rmSync(`${dir}/${SNAPSHOT_FILE}`);
    await expect(LabelStore.open({ dir, mode: "strict", log: new CapturingLog() })).rejects.toThrow(
      /is missing but .* continues from event/,
    );
  });

  test("J5: snapshot every N lines compacts the journal; restart is snapshot + short tail", async () => {
    const dir = tempDir();
    const a = await open(dir, { snapshotEvery: 10 });
    await writeItems(a.store, 1, 25);
    await a.store.close();
    const lines = journalLines(dir);
    expect(lines.length).toBeLessThan(10);
    const head = JSON.parse(lines[0]);
    expect(head.t).toBe("head");
    expect(head.base_ev).toBeGreaterThan(0);
    expect(fs.existsSync(`${dir}/${SNAPSHOT_FILE}`)).toBe(true);
    expect(fs.readdirSync(dir).some((f) => f.endsWith(".tmp"))).toBe(false);
    let items = 0;
    scanLines(`${dir}/${SNAPSHOT_FILE}`, (l) => {
      if (l.decoded.ok && l.decoded.value.t === "item") items++;
    });
    expect(items).toBeGreaterThanOrEqual(20);
    const b = await open(dir);
    expectItems(b.store, 1, 25);
    expect(b.store.health().snapshot.bytes).toBeGreaterThan(0);
    await b.store.close();
  });

  test("J5: snapshot every T seconds when there were writes, on the store's timers", async () => {
    const timers = new ManualTimers();
    const dir = tempDir();
    const a = await open(dir, { snapshotIntervalMs: 60_000, timers, now: () => timers.now });
    timers.advance(60_000); // no writes yet: no snapshot
    expect(a.store.health().last_snapshot_at).toBeNull();
    await writeItems(a.store, 1, 2);
    timers.advance(59_999);
    expect(a.store.snapshotInFlight).toBe(false);
    timers.advance(1);
    expect(a.store.snapshotInFlight).toBe(true);
    await a.store.snapshot(); // the one the timer started
    expect(a.store.health().last_snapshot_at).not.toBeNull();
    expect(journalLines(dir).length).toBe(1);
    await a.store.close();
    expect(timers.size).toBe(0); // close stops the schedule
  });

  test("J5: after a failed snapshot the schedule waits 10 s before trying again", async () => {
    const timers = new ManualTimers();
    const faults = new FaultSwitch();
    faults.fail("snapshot", "ENOSPC");
    const a = await open(tempDir(), {
      snapshotIntervalMs: 1000,
      timers,
      now: () => timers.now,
      faults,
    });
    await writeItems(a.store, 1, 1);
    timers.advance(1000);
    expect(a.store.snapshotInFlight).toBe(true); // started by the schedule
    await a.store.snapshot();
    expect(a.store.health().last_error).toContain("snapshot failed");
    faults.clear();
    timers.advance(8000); // ticks at 2 … 9 s: all within the 10 s pause
    expect(a.store.snapshotInFlight).toBe(false);
    timers.advance(2000); // the tick at 11 s tries again
    expect(a.store.snapshotInFlight).toBe(true);
    await a.store.snapshot();
    expect(a.store.health().last_snapshot_at).not.toBeNull();
    await a.store.close();
  });

  test("J5: a failed snapshot keeps the journal whole and writes going", async () => {
    const dir = tempDir();
    const faults = new FaultSwitch();
    faults.fail("snapshot", "ENOSPC");
    const a = await open(dir, { faults });
    await writeItems(a.store, 1, 3);
    await a.store.snapshot();
    expect(a.store.health().last_error).toContain("snapshot failed");
    expect(a.store.health().state).toBe("saved");
    expect(journalLines(dir).length).toBe(4);
    await writeItems(a.store, 4, 4);
    await a.store.close();
    const b = await open(dir);
    expectItems(b.store, 1, 4);
    await b.store.close();
  });

  test("J10: event ids keep increasing across restarts, also past events never journaled", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 2);
    // Presence-style events: not journaled, but their ids must not be reused.
    let lastPresence = 0;
    for (let i = 0; i < 1500; i++) {
      lastPresence = a.bus.publish({
        type: "presence",
        data: { gallery_id: "/", viewing: i, editing: 0, names: [], sessions: i },
      });
    }
    await a.store.close();
    const hwm = Number(fs.readFileSync(`${dir}/${ID_FLOOR_FILE}`, "utf8"));
    expect(hwm).toBeGreaterThan(lastPresence);
    const b = await open(dir);
    expect(b.store.firstEventId()).toBeGreaterThan(lastPresence);
    expect(b.bus.reserve()).toBeGreaterThan(lastPresence);
    await b.store.close();
  });

  test("J10: recentEvents rebuilds item-updated envelopes from the journal, in id order", async () => {
    const dir = tempDir();
    const a = await open(dir);
    const ids: number[] = [];
    a.bus.onEvent((env) => ids.push(env.id));
    await writeItems(a.store, 1, 3);
    await a.store.patch(
      { path: "/m.jpg", fields: { set_metrics: { score: 1 } }, baseVersion: null },
      ctx(),
    );
    await a.store.close();
    const b = await open(dir);
    const recent = b.store.recentEvents(10);
    expect(recent.map((e) => e.id).slice(0, 3)).toEqual(ids);
    expect(recent.length).toBe(4); // the metric-only change too (its id was a hole live)
    const first = recent[0].event;
    expect(first.type).toBe("item-updated");
    if (first.type === "item-updated") {
      expect(first.data.path).toBe("/item-1.jpg");
      expect(first.data.client_id).toBe("t1");
      expect(first.data.changed_fields).toEqual(["star", "notes"]);
    }
    expect(b.store.recentEvents(2).map((e) => e.id)).toEqual(recent.slice(-2).map((e) => e.id));
    await b.store.close();
  });
});

/** Opening must be refused; returns the message. Nothing on disk may change. */
async function refused(dir: string): Promise<string> {
  const listing = fs.readdirSync(dir).sort();
  const bytes = listing.map((f) => fs.readFileSync(`${dir}/${f}`));
  let err: unknown = null;
  try {
    await LabelStore.open({ dir, mode: "strict", log: new CapturingLog() });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RecoveryError);
  expect(fs.readdirSync(dir).sort()).toEqual(listing);
  for (const [i, f] of listing.entries()) {
    expect(fs.readFileSync(`${dir}/${f}`).equals(bytes[i])).toBe(true);
  }
  return (err as Error).message;
}

function losses(dir: string): { lost: string; kept: string[] }[] {
  return fs
    .readFileSync(`${dir}/${LOSSES_FILE}`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe("loss is detected, refused and reported", () => {
  test("J13: an emptied journal (truncate -s 0) without a snapshot is refused; --accept-label-loss starts empty and records it", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 4);
    await a.store.close();
    const path = `${dir}/${JOURNAL_FILE}`;
    fs.truncateSync(path, 0);
    const m = await refused(dir);
    expect(m).toContain(`${path} is empty (0 bytes)`);
    expect(m).toContain("--accept-label-loss");
    const b = await open(dir, { acceptLoss: true });
    expect(b.store.get("/item-1.jpg").version).toBe(1);
    expect(b.log.has(/error labels: started with --accept-label-loss: .* is empty/)).toBe(true);
    expect(losses(dir)[0].lost).toContain("is empty (0 bytes)");
    await writeItems(b.store, 5, 5);
    await b.store.close();
    // From then on it is a whole journal again.
    const c = await open(dir);
    expectItems(c.store, 5, 5);
    expect(c.log.lines.filter((l) => !l.startsWith("info"))).toEqual([]);
    await c.store.close();
  });

  test("J13: an emptied journal beside a snapshot is refused; accepting the loss keeps what the snapshot holds", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 5);
    await a.store.snapshot();
    await writeItems(a.store, 6, 7);
    await a.store.close();
    fs.truncateSync(`${dir}/${JOURNAL_FILE}`, 0);
    expect(await refused(dir)).toContain(
      "the label writes acknowledged after the snapshot's point",
    );
    const b = await open(dir, { acceptLoss: true });
    expectItems(b.store, 1, 5);
    expect(b.store.get("/item-7.jpg").version).toBe(1);
    expect(losses(dir)).toHaveLength(1);
    await b.store.close();
  });

  test("J13: a missing journal beside a snapshot is refused", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 3);
    await a.store.snapshot();
    await a.store.close();
    fs.rmSync(`${dir}/${JOURNAL_FILE}`);
    expect(await refused(dir)).toContain(`${dir}/${JOURNAL_FILE} is missing`);
  });

  test("J13: a line deleted from the middle is a gap: refused, naming the numbers and the line", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 6);
    await a.store.close();
    const lines = journalLines(dir);
    lines.splice(3, 1); // the 3rd write (line 4 of the file, number 3)
    fs.writeFileSync(`${dir}/${JOURNAL_FILE}`, `${lines.join("\n")}\n`);
    const m = await refused(dir);
    expect(m).toContain(`${dir}/${JOURNAL_FILE} line number 3 is missing before line 4`);
    expect(m).toContain("Restore the journal from a backup");
  });

  test("J13: a journal replaced by an older copy is refused (it ends before the snapshot's point)", async () => {
    const dir = tempDir();
    const a = await open(dir);
    await writeItems(a.store, 1, 3);
    const copy = fs.readFileSync(`${dir}/${JOURNAL_FILE}`);
    await writeItems(a.store, 4, 6);
    await a.store.snapshot();
    await writeItems(a.store, 7, 7);
    await a.store.close();
    fs.writeFileSync(`${dir}/${JOURNAL_FILE}`, copy);
    expect(await refused(dir)).toMatch(
      /ends at line number 3, but .* contains the journal up to line 6/,
    );
  });

  test("J13: a deleted last line is refused when the snapshot's point is past it, and otherwise undetectable", async () => {
    const dir = tempDir();
    await snapshotWithFullJournal(dir, 4); // snapshot at line 4, journal still holds lines 1-4
    const lines = journalLines(dir);
    fs.writeFileSync(`${dir}/${JOURNAL_FILE}`, `${lines.slice(0, -1).join("\n")}\n`);
    expect(await refused(dir)).toContain("the journal is older than its snapshot");
    // After the snapshot's point, a last line cut at a line boundary looks like a crash before it was written.
    const other = tempDir();
    const b = await open(other);
    await writeItems(b.store, 1, 3);
    await b.store.close();
    const kept = journalLines(other);
    fs.writeFileSync(`${other}/${JOURNAL_FILE}`, `${kept.slice(0, -1).join("\n")}\n`);
    const c = await open(other);
    expectItems(c.store, 1, 2);
    expect(c.store.get("/item-3.jpg").version).toBe(1);
    await c.store.close();
  });

  test("J14: format-1 files load and are written again as format 2; the old journal is kept", async () => {
    const fixture = join(import.meta.dir, "fixtures", "format1");
    const dir = tempDir();
    fs.copyFileSync(join(fixture, "journal.lines"), `${dir}/${JOURNAL_FILE}`);
    fs.copyFileSync(join(fixture, "snapshot.lines"), `${dir}/${SNAPSHOT_FILE}`);
    // Written before flags and colours: every record reads as unflagged (L19).
    const expected = asUnflagged(
      JSON.parse(fs.readFileSync(join(fixture, "expected.json"), "utf8")),
    );
    const a = await open(dir);
    for (const [path, rec] of Object.entries(expected.records)) {
      expect(a.store.get(path)).toEqual(rec as never);
    }
    expect(a.log.has(/is of format 1; wrote the labels again/)).toBe(true);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${JOURNAL_FILE}.format1-`))).toBe(true);
    expect(JSON.parse(journalLines(dir)[0])).toMatchObject({ t: "head", format: 2 });
    await a.store.close();
    const b = await open(dir);
    expect(b.log.lines.filter((l) => !l.startsWith("info"))).toEqual([]);
    await b.store.close();
  });

  test("J13: the CLI refuses an emptied journal with exit code 2 and one message naming the file and the remedy", async () => {
    const root = tempDir("cli-root");
    fs.writeFileSync(join(root, "a.jpg"), "x");
    const ws = tempDir("cli-ws");
    fs.writeFileSync(`${ws}/${JOURNAL_FILE}`, "");
    const main = join(import.meta.dir, "..", "..", "src", "main.ts");
    const proc = Bun.spawn(
      [process.execPath, "run", main, root, "--port", "0", "--workspace", ws],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(2);
    const lines = stderr.split("\n").filter((l) => l.startsWith("lenslet:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${ws}/${JOURNAL_FILE} is empty (0 bytes)`);
    expect(lines[0]).toContain("--accept-label-loss");
    expect(fs.statSync(`${ws}/${JOURNAL_FILE}`).size).toBe(0);
  });
});
