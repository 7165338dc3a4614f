/**
 * Startup recovery as a pure decision: from what was read of the snapshot and
 * the journal (summaries, no disk) to a plan — start fresh, load (and maybe
 * cut a torn tail, or rewrite both files), or refuse with a message naming
 * the file, the line and the remedy. recovery.ts reads the files and carries
 * the plan out; the whole repair/refuse table is tested without a disk
 * (test/labels/recovery-plan.test.ts).
 *
 * What counts as loss: the journal is always created with its head line
 * (atomically), numbers every later line (`n`, one more each time, across
 * compactions), and is compacted only to a point a snapshot contains (the
 * snapshot names that point: last event id, line number, checksum). So an
 * absent or empty journal beside labels, a missing or damaged head, a gap in
 * the numbers, a damaged line with good lines after it, or a journal that
 * ends before its snapshot's point all mean acknowledged writes are gone —
 * unless the snapshot holds every missing line. Ids of events that are not
 * journaled (presence, gallery) skip freely: they are not line numbers.
 * Not detectable: the last complete lines cut off at a line boundary after
 * the snapshot's point (that looks exactly like a crash before they were
 * written), and a journal replaced by an older copy that still reaches past
 * the snapshot's point.
 */

export interface SnapshotSummary {
  path: string;
  state: "absent" | "ok" | "damaged";
  /** For damaged: "<path> line N is unusable (…)". */
  problem: string | null;
  format: number;
  /** The journal point it contains: event id, line number and checksum (seq/crc null in format 1). */
  ev: number;
  seq: number | null;
  crc: string | null;
}

export interface JournalDamage {
  /** 1-based line of the file. */
  line: number;
  /** checksum | json | format | structure (not a journal line, or a batch group cut short) | gap */
  problem: string;
  /** The first good line after it: its event id and line number (null when none). */
  nextEv: number | null;
  nextSeq: number | null;
  /** For a gap: the first and last line numbers missing. */
  missing: [number, number] | null;
}

export interface JournalSummary {
  path: string;
  state: "absent" | "empty" | "read";
  /** Its head line; null when line 1 is not a usable head. */
  head: { format: number; ev: number; seq: number | null; crc: string | null } | null;
  /** The last complete line (format 2): its number and checksum; the head's point when none follows it. */
  last: { seq: number; crc: string } | null;
  /** Checksum of the line numbered like the snapshot's point, when the journal has that line. */
  crcAtSnapshot: string | null;
  /** Damage before the last complete line (the middle of the file). */
  damage: JournalDamage[];
  /** An unterminated or damaged end, or a batch group missing its end: never acknowledged. */
  torn: { line: number } | null;
}

export interface RecoveryPolicy {
  /** `--accept-label-loss`: start anyway from what is left, and record what was lost. */
  acceptLoss: boolean;
}

export type KeepAs = "corrupt" | "replayed" | "format1" | "lost";

export type Plan =
  /** Nothing on disk yet: create the journal. */
  | { kind: "create" }
  | { kind: "refuse"; message: string }
  | {
      kind: "load";
      /** false: the snapshot is not used (damaged, or lost on purpose); the journal holds everything. */
      useSnapshot: boolean;
      /** false: the journal is not read (absent, empty, or its head is gone). */
      useJournal: boolean;
      /** Cut the torn tail (its bytes kept aside). */
      cutTail: boolean;
      /** Write a fresh snapshot and journal from what was loaded, keeping the old files under these names. */
      rewrite: { keepSnapshot: KeepAs | null; keepJournal: KeepAs | null } | null;
      /** Things to log (warn), without the names of kept files (the executor adds those). */
      notes: string[];
      /** What was lost, when the loss was accepted: recorded in labels.losses.jsonl. */
      loss: string | null;
    };

const UNTOUCHED = "Lenslet will not start rather than lose labels; nothing was changed on disk.";

function remedy(file: string): string {
  return `Restore ${file} from a backup, or start once with --accept-label-loss to go on from what is left (the loss is recorded in labels.losses.jsonl beside it and the damaged file is kept).`;
}

function refuse(what: string, file: string): Plan {
  return { kind: "refuse", message: `${what}. ${UNTOUCHED} ${remedy(file)}` };
}

function load(p: Partial<Extract<Plan, { kind: "load" }>>): Plan {
  return {
    kind: "load",
    useSnapshot: true,
    useJournal: true,
    cutTail: false,
    rewrite: null,
    notes: [],
    loss: null,
    ...p,
  };
}

/** Whether the snapshot holds every line a damage could have held. */
function covered(d: JournalDamage, s: SnapshotSummary, format2: boolean): boolean {
  if (s.state !== "ok") return false;
  if (format2 && s.seq !== null) {
    const lastMissing = d.missing ? d.missing[1] : d.nextSeq === null ? null : d.nextSeq - 1;
    return lastMissing !== null && lastMissing <= s.seq;
  }
  return d.nextEv !== null && d.nextEv <= s.ev;
}

function describe(d: JournalDamage): string {
  if (d.missing) {
    const [a, b] = d.missing;
    const which = a === b ? `line number ${a} is` : `lines numbered ${a} to ${b} are`;
    return `${which} missing before line ${d.line} (a gap in the journal's numbering: deleted or cut out)`;
  }
  return `line ${d.line} is damaged (${d.problem})`;
}

export function planRecovery(s: SnapshotSummary, j: JournalSummary, policy: RecoveryPolicy): Plan {
  const accept = policy.acceptLoss;
  const snapPoint = s.seq === null ? `event ${s.ev}` : `event ${s.ev}, journal line ${s.seq}`;

  // 1. No journal to read.
  if (j.state === "absent" || j.state === "empty" || j.head === null) {
    if (j.state === "absent" && s.state === "absent") return { kind: "create" };
    const what =
      j.state === "absent"
        ? `${j.path} is missing`
        : j.state === "empty"
          ? `${j.path} is empty (0 bytes), though Lenslet writes its head line before anything else: it was emptied or truncated`
          : `${j.path} line 1 is not a journal head (damaged or removed)`;
    if (s.state === "damaged") {
      if (!accept) {
        return refuse(
          `${s.problem}, and ${what}, so there is nothing to rebuild the labels from`,
          s.path,
        );
      }
      return load({
        useSnapshot: false,
        useJournal: false,
        rewrite: { keepSnapshot: "corrupt", keepJournal: j.state === "absent" ? null : "lost" },
        notes: [`${s.problem}; ${what}: starting with no labels (--accept-label-loss)`],
        loss: `${s.problem}; ${what}: every label was lost`,
      });
    }
    const lost =
      s.state === "ok"
        ? `the label writes acknowledged after the snapshot's point (${snapPoint}) are lost, if there were any`
        : "every label write it held is lost";
    if (!accept) return refuse(`${what}: ${lost}`, j.path);
    return load({
      useSnapshot: s.state === "ok",
      useJournal: false,
      rewrite: { keepSnapshot: null, keepJournal: j.state === "absent" ? null : "lost" },
      notes: [
        `${what}; continuing from ${s.state === "ok" ? "the snapshot" : "nothing"} (--accept-label-loss)`,
      ],
      loss: `${what}: ${lost}`,
    });
  }

  const head = j.head;
  const format2 = head.format >= 2 && head.seq !== null;
  const firstDamage = j.damage[0];

  // 2. A damaged snapshot: the journal must hold the whole history.
  if (s.state === "damaged") {
    const whole = head.ev === 0 && (head.seq ?? 0) === 0;
    if (whole && !firstDamage) {
      return load({
        useSnapshot: false,
        rewrite: { keepSnapshot: "corrupt", keepJournal: "replayed" },
        notes: [`${s.problem}; rebuilt it from the journal`],
      });
    }
    const why = !whole
      ? `${j.path} only holds the events after ${head.ev}`
      : `${j.path} ${describe(firstDamage)} too`;
    if (!accept) {
      return {
        kind: "refuse",
        message: `${s.problem}, and ${why}, so the labels cannot be rebuilt. ${UNTOUCHED} Restore the snapshot from a backup, or start once with --accept-label-loss to go on from the journal alone (the loss is recorded in labels.losses.jsonl and the damaged snapshot is kept).`,
      };
    }
    return load({
      useSnapshot: false,
      rewrite: { keepSnapshot: "corrupt", keepJournal: "corrupt" },
      notes: [`${s.problem}; ${why}: going on from the journal alone (--accept-label-loss)`],
      loss: `${s.problem}, and ${why}: the labels only the snapshot held are lost`,
    });
  }

  // 3. The journal must continue exactly where the snapshot ends.
  if (s.state === "absent" && (head.ev > 0 || (head.seq ?? 0) > 0)) {
    return refuse(
      `${s.path} is missing but ${j.path} continues from event ${head.ev}: the labels up to that event would be lost`,
      s.path,
    );
  }
  if (s.state === "ok") {
    const ahead = head.ev > s.ev || (format2 && s.seq !== null && (head.seq as number) > s.seq);
    if (ahead) {
      return refuse(
        `${j.path} continues from event ${head.ev} but ${s.path} ends at event ${s.ev}: the events in between are missing (was an older snapshot restored?)`,
        s.path,
      );
    }
    if (format2 && s.seq !== null && s.format >= 2) {
      const last = j.last as { seq: number; crc: string };
      if (head.seq === s.seq && head.crc !== s.crc) {
        return refuse(
          `${j.path} says it continues from journal line ${head.seq}, but not from the line ${s.path} contains (another checksum): the journal and the snapshot are of different histories`,
          j.path,
        );
      }
      if ((head.seq as number) < s.seq) {
        if (last.seq < s.seq) {
          const what = `${j.path} ends at line number ${last.seq}, but ${s.path} contains the journal up to line ${s.seq}: the journal is older than its snapshot (replaced by an older copy, or cut)`;
          if (!accept)
            return refuse(
              `${what}; the writes after line ${s.seq} are lost, if there were any`,
              j.path,
            );
          return load({
            rewrite: { keepSnapshot: null, keepJournal: "lost" },
            notes: [`${what}; continuing from the snapshot (--accept-label-loss)`],
            loss: `${what}: writes after line ${s.seq} lost, if there were any`,
          });
        }
        if (j.crcAtSnapshot !== s.crc) {
          return refuse(
            `${j.path} line number ${s.seq} is not the line ${s.path} contains (another checksum): the journal and the snapshot are of different histories`,
            j.path,
          );
        }
      }
    }
  }

  // 4. Damage in the middle: survivable when the snapshot holds what is missing.
  const uncovered = j.damage.find((d) => !covered(d, s, format2));
  if (uncovered) {
    const what = `${j.path} ${describe(uncovered)} and the snapshot does not hold what it held (${
      s.state === "ok" ? `the snapshot ends at ${snapPoint}` : "there is no snapshot"
    }; ${
      uncovered.nextEv === null
        ? "no good event follows it"
        : `the next good line is event ${uncovered.nextEv}`
    })`;
    if (!accept) {
      return {
        kind: "refuse",
        message: `${what}. ${UNTOUCHED} Restore the journal from a backup, or start once with --accept-label-loss to go on without what is missing (the loss is recorded in labels.losses.jsonl and the damaged journal is kept).`,
      };
    }
    return load({
      rewrite: { keepSnapshot: null, keepJournal: "corrupt" },
      notes: [`${what}; going on without it (--accept-label-loss)`],
      loss: what,
    });
  }
  if (firstDamage) {
    return load({
      rewrite: { keepSnapshot: null, keepJournal: "corrupt" },
      notes: [
        `${j.path} ${firstDamage.missing ? describe(firstDamage) : `line ${firstDamage.line} was damaged`} but the snapshot held its content; wrote a fresh snapshot and journal`,
      ],
    });
  }

  // 5. Files of format 1 are read, then written again in the current format.
  if (head.format < 2 || (s.state === "ok" && s.format < 2)) {
    return load({
      rewrite: { keepSnapshot: null, keepJournal: "format1" },
      notes: [
        `${j.path} is of format 1; wrote the labels again as a format-2 snapshot and journal`,
      ],
    });
  }

  return load({ cutTail: j.torn !== null });
}
