/**
 * The repair/refuse table of startup recovery, as a pure function: summaries
 * of what was read in, a plan out. No disk here (recovery.test.ts does the
 * same cases on real files).
 */
import { describe, expect, test } from "bun:test";
import {
  type JournalDamage,
  type JournalSummary,
  type Plan,
  planRecovery,
  type SnapshotSummary,
} from "../../src/labels/recovery-plan.ts";

const J = "/ws/labels.log.jsonl";
const S = "/ws/labels.snapshot.json";

const noSnapshot: SnapshotSummary = {
  path: S,
  state: "absent",
  problem: null,
  format: 0,
  ev: 0,
  seq: null,
  crc: null,
};
const snapshot = (ev: number, seq: number, crc = `c${seq}`): SnapshotSummary => ({
  path: S,
  state: "ok",
  problem: null,
  format: 2,
  ev,
  seq,
  crc,
});
const damagedSnapshot: SnapshotSummary = {
  ...noSnapshot,
  state: "damaged",
  problem: `${S} line 3 is unusable (checksum: damaged line)`,
};

/** A format-2 journal continuing from line `base` and ending at line `last`. */
const journal = (
  base: number,
  last: number,
  more: Partial<JournalSummary> = {},
): JournalSummary => ({
  path: J,
  state: "read",
  head: { format: 2, ev: base, seq: base, crc: base === 0 ? "" : `c${base}` },
  last: { seq: last, crc: `c${last}` },
  crcAtSnapshot: null,
  damage: [],
  torn: null,
  ...more,
});
const noJournal: JournalSummary = { ...journal(0, 0), state: "absent", head: null, last: null };
const emptyJournal: JournalSummary = { ...noJournal, state: "empty" };

const damage = (
  line: number,
  nextSeq: number | null,
  more: Partial<JournalDamage> = {},
): JournalDamage => ({
  line,
  problem: "checksum",
  nextEv: nextSeq,
  nextSeq,
  missing: null,
  ...more,
});

const strict = { acceptLoss: false };
const accept = { acceptLoss: true };

function refusal(p: Plan): string {
  if (p.kind !== "refuse") throw new Error(`expected a refusal, got ${JSON.stringify(p)}`);
  return p.message;
}

function loaded(p: Plan): Extract<Plan, { kind: "load" }> {
  if (p.kind !== "load") throw new Error(`expected a load, got ${JSON.stringify(p)}`);
  return p;
}

describe("recovery plan", () => {
  test("J13: no files at all is a first start", () => {
    expect(planRecovery(noSnapshot, noJournal, strict)).toEqual({ kind: "create" });
  });

  test("J13: an intact journal (with or without a snapshot) loads as it is", () => {
    const p = loaded(planRecovery(noSnapshot, journal(0, 12), strict));
    expect(p).toMatchObject({ useSnapshot: true, useJournal: true, cutTail: false, rewrite: null });
    expect(p.notes).toEqual([]);
    // Compacted after the snapshot: the journal starts at the snapshot's point.
    const q = loaded(planRecovery(snapshot(40, 30), journal(30, 35), strict));
    expect(q.rewrite).toBeNull();
    // A crash between snapshot and compaction: the journal still holds lines the snapshot has.
    const r = planRecovery(snapshot(40, 30), journal(0, 35, { crcAtSnapshot: "c30" }), strict);
    expect(loaded(r).rewrite).toBeNull();
  });

  test("J7: a torn end is cut, nothing refused", () => {
    const p = loaded(planRecovery(snapshot(9, 9), journal(9, 12, { torn: { line: 5 } }), strict));
    expect(p.cutTail).toBe(true);
  });

  test("J13: an emptied journal is refused, naming the file and the remedy, with or without a snapshot", () => {
    for (const s of [noSnapshot, snapshot(40, 30)]) {
      const m = refusal(planRecovery(s, emptyJournal, strict));
      expect(m).toContain(`${J} is empty (0 bytes)`);
      expect(m).toContain("nothing was changed on disk");
      expect(m).toContain("--accept-label-loss");
      expect(m).toContain(`Restore ${J} from a backup`);
    }
  });

  test("J13: a missing journal beside a snapshot is refused; a missing head too", () => {
    expect(refusal(planRecovery(snapshot(40, 30), noJournal, strict))).toContain(
      `${J} is missing: the label writes acknowledged after the snapshot's point (event 40, journal line 30) are lost`,
    );
    expect(refusal(planRecovery(noSnapshot, { ...journal(0, 3), head: null }, strict))).toContain(
      `${J} line 1 is not a journal head`,
    );
  });

  test("J13: a gap in the line numbers is refused unless the snapshot holds the missing lines", () => {
    const gap = damage(4, 5, { problem: "gap", missing: [3, 4] });
    const m = refusal(planRecovery(noSnapshot, journal(0, 9, { damage: [gap] }), strict));
    expect(m).toContain(`${J} lines numbered 3 to 4 are missing before line 4`);
    expect(m).toContain("--accept-label-loss");
    const held = loaded(
      planRecovery(
        snapshot(20, 4, "c4"),
        journal(0, 9, { damage: [gap], crcAtSnapshot: "c4" }),
        strict,
      ),
    );
    expect(held.rewrite).toEqual({ keepSnapshot: null, keepJournal: "corrupt" });
    expect(held.notes[0]).toContain("but the snapshot held its content");
  });

  test("J8: a damaged middle line: refused, or rebuilt when the snapshot holds it", () => {
    const bad = damage(3, 3);
    expect(refusal(planRecovery(noSnapshot, journal(0, 6, { damage: [bad] }), strict))).toContain(
      `${J} line 3 is damaged (checksum) and the snapshot does not hold what it held`,
    );
    const p = loaded(
      planRecovery(snapshot(6, 6), journal(0, 6, { damage: [bad], crcAtSnapshot: "c6" }), strict),
    );
    expect(p.rewrite?.keepJournal).toBe("corrupt");
  });

  test("J13: a journal older than its snapshot (replaced by an older copy, or cut) is refused", () => {
    const m = refusal(planRecovery(snapshot(50, 40), journal(0, 25), strict));
    expect(m).toContain(`${J} ends at line number 25, but ${S} contains the journal up to line 40`);
  });

  test("J13: a journal and a snapshot of different histories are refused", () => {
    expect(refusal(planRecovery(snapshot(50, 40, "aaaa"), journal(40, 41), strict))).toContain(
      "different histories",
    );
    expect(
      refusal(
        planRecovery(snapshot(50, 40, "aaaa"), journal(0, 45, { crcAtSnapshot: "bbbb" }), strict),
      ),
    ).toContain(`${J} line number 40 is not the line ${S} contains`);
  });

  test("J9: snapshot damaged: rebuilt from a whole-history journal, else refused", () => {
    const p = loaded(planRecovery(damagedSnapshot, journal(0, 9), strict));
    expect(p).toMatchObject({
      useSnapshot: false,
      rewrite: { keepSnapshot: "corrupt", keepJournal: "replayed" },
    });
    expect(refusal(planRecovery(damagedSnapshot, journal(30, 35), strict))).toContain(
      `${J} only holds the events after 30`,
    );
    expect(refusal(planRecovery(damagedSnapshot, noJournal, strict))).toContain(
      "there is nothing to rebuild the labels from",
    );
  });

  test("J9: a missing snapshot under a compacted journal, or an older snapshot, is refused", () => {
    expect(refusal(planRecovery(noSnapshot, journal(30, 35), strict))).toMatch(
      /is missing but .* continues from event 30/,
    );
    expect(refusal(planRecovery(snapshot(20, 20), journal(30, 35), strict))).toContain(
      "was an older snapshot restored?",
    );
  });

  test("J13: --accept-label-loss goes on from what is left, and says what was lost", () => {
    const cases: [SnapshotSummary, JournalSummary][] = [
      [noSnapshot, emptyJournal],
      [snapshot(40, 30), emptyJournal],
      [snapshot(40, 30), noJournal],
      [noSnapshot, journal(0, 9, { damage: [damage(4, 6, { problem: "gap", missing: [3, 5] })] })],
      [snapshot(50, 40), journal(0, 25)],
    ];
    for (const [s, j] of cases) {
      expect(planRecovery(s, j, strict).kind).toBe("refuse");
      const p = loaded(planRecovery(s, j, accept));
      expect(p.loss).not.toBeNull();
      expect(p.rewrite).not.toBeNull();
    }
    // Never a loss for a state that is whole.
    expect(loaded(planRecovery(snapshot(40, 30), journal(30, 33), accept)).loss).toBeNull();
  });

  test("J14: format-1 files load and are written again in the current format", () => {
    const old: JournalSummary = {
      ...journal(0, 0),
      head: { format: 1, ev: 3, seq: null, crc: null },
      last: null,
    };
    const p = loaded(
      planRecovery({ ...snapshot(3, 0), format: 1, seq: null, crc: null }, old, strict),
    );
    expect(p.rewrite).toEqual({ keepSnapshot: null, keepJournal: "format1" });
    // Their middle damage is judged by event ids, as format 1 was.
    const bad = { ...old, damage: [damage(3, null, { nextEv: 9, nextSeq: null })] };
    expect(
      planRecovery({ ...snapshot(8, 0), format: 1, seq: null, crc: null }, bad, strict).kind,
    ).toBe("refuse");
    expect(
      planRecovery({ ...snapshot(9, 0), format: 1, seq: null, crc: null }, bad, strict).kind,
    ).toBe("load");
  });
});
