/** The journal line format and the group-commit appender, on real files with real fsync. */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import fc from "fast-check";
import { type DiskIo, realIo } from "../../src/labels/faults.ts";
import {
  createJournalFile,
  encodeBodyLine,
  peekRecord,
  peekSetHeader,
} from "../../src/labels/journal-format.ts";
import { JournalWriter, PersistenceError } from "../../src/labels/journal-writer.ts";
import { decodeLine, encodeLine, scanLines } from "../../src/labels/lines.ts";
import { cleanupTempDirs, tempDir, until } from "./helpers.ts";

afterAll(cleanupTempDirs);

/** The real disk operations, counted; fsync can be held back by a gate. */
class CountingIo implements DiskIo {
  appends = 0;
  fsyncs = 0;
  gate: Promise<void> | null = null;
  append(fd: number, data: Uint8Array): void {
    this.appends++;
    realIo.append(fd, data);
  }
  async fsync(fd: number): Promise<void> {
    if (this.gate) await this.gate;
    this.fsyncs++;
    await realIo.fsync(fd);
  }
  truncate(fd: number, length: number): void {
    realIo.truncate(fd, length);
  }
}

function journal(io: DiskIo, mode: "strict" | "relaxed" = "strict", syncEveryMs?: number) {
  const path = `${tempDir("journal")}/labels.log.jsonl`;
  createJournalFile(path);
  const health: boolean[] = [];
  const w = new JournalWriter({ path, mode, io, onHealth: (ok) => health.push(ok), syncEveryMs });
  return { path, w, health };
}

describe("line format", () => {
  test("J1: a line is JSON whose last member is a CRC32 of the rest", () => {
    const line = encodeLine({ t: "set", ev: 7, path: "/ä/ü.jpg", rec: { notes: "line\nbreak" } });
    expect(line.endsWith("}\n")).toBe(true);
    expect(line.split("\n").length).toBe(2); // one line, even with a newline in the data
    const parsed = JSON.parse(line);
    expect(parsed.ev).toBe(7);
    expect(parsed.crc).toMatch(/^[0-9a-f]{8}$/);
    const buf = Buffer.from(line);
    const d = decodeLine(buf, 0, buf.length - 1);
    expect(d.ok && d.value.path).toBe("/ä/ü.jpg");
  });

  test("J1: a flipped byte is a checksum error, not a silently different record", () => {
    const buf = Buffer.from(encodeLine({ t: "set", ev: 12, path: "/a.jpg" }));
    buf[buf.indexOf("12")] = "3".charCodeAt(0); // ev 12 -> 32: still valid JSON
    const d = decodeLine(buf, 0, buf.length - 1);
    expect(d).toEqual({ ok: false, problem: "checksum" });
    const cut = Buffer.from(encodeLine({ t: "x" }).slice(0, 10));
    expect(decodeLine(cut, 0, cut.length).ok).toBe(false);
  });

  test("J1: scanLines reads long lines across chunk borders and reports an unterminated tail", () => {
    const path = `${tempDir("scan")}/f.jsonl`;
    const big = "x".repeat(9 * 1024 * 1024); // longer than one read chunk
    fs.writeFileSync(
      path,
      `${encodeLine({ n: 1 })}${encodeLine({ n: 2, big })}${encodeLine({ n: 3 })}{"n":4`,
    );
    const seen: number[] = [];
    const res = scanLines(path, (l) => {
      if (l.decoded.ok) seen.push(l.decoded.value.n as number);
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(res.tail).not.toBeNull();
    expect(res.tail?.no).toBe(4);
    expect(res.size - (res.tail?.offset ?? 0)).toBe(6);
  });
});

describe("replay header", () => {
  test("J6: the header read without JSON.parse agrees with JSON.parse, or declines", () => {
    const path = fc.string({ minLength: 1, maxLength: 20 }).map((s) => `/${s}`);
    const g = fc.option(fc.tuple(fc.nat(999), fc.integer({ min: 1, max: 1001 })), {
      nil: undefined,
    });
    fc.assert(
      fc.property(
        path,
        fc.nat(),
        fc.nat(),
        g,
        fc.option(fc.nat(), { nil: null }),
        (p, ev, at, group, n) => {
          const line: Record<string, unknown> = group ? { g: group } : {};
          Object.assign(line, {
            t: "set",
            ev,
            at,
            path: p,
            rec: { notes: '"path":"x"' },
            cf: [],
            client: null,
          });
          // With its line number (format 2, as the writer encodes it) or without (format 1).
          const buf = Buffer.from(n === null ? encodeLine(line) : encodeBodyLine(n, line));
          const h = peekSetHeader(buf, 0, buf.length - 1);
          if (h === null) {
            // Declines only for paths JSON escapes.
            expect(JSON.stringify(p)).not.toBe(`"${p}"`);
            return;
          }
          const { end: _end, ...rest } = h;
          expect(rest).toEqual({ n, ev, at, path: p, g: group ?? null });
        },
      ),
    );
    const other = Buffer.from(encodeLine({ t: "resp", at: 1, key: "k" }));
    expect(peekSetHeader(other, 0, other.length - 1)).toBeNull();
  });

  test("J6: the record parsed on its own equals the record of the whole line", () => {
    const tricky = fc.constantFrom('},"cf":["', '"rec":{', "}", '"', "\\", "cf", "\n", "ü");
    const text = fc
      .array(fc.oneof(tricky, fc.string({ maxLength: 4 })), { maxLength: 5 })
      .map((a) => a.join(""));
    const rec = fc.record({
      star: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
      tags: fc.array(text, { maxLength: 3 }),
      notes: text,
      metrics: fc.dictionary(
        fc.oneof(text, fc.constant("cf")),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        { maxKeys: 3 },
      ),
      version: fc.integer({ min: 2, max: 1e6 }),
      updated_at: fc.constant("2026-01-01T00:00:00.000Z"),
      updated_by: text,
    });
    const cf = fc.array(fc.constantFrom("star", "tags", "notes", "metrics"));
    fc.assert(
      fc.property(text, rec, cf, (p, r, changed) => {
        const line = {
          t: "set",
          ev: 7,
          at: 9,
          path: `/${p}`,
          rec: r,
          cf: changed,
          client: "c",
          key: "k",
        };
        const buf = Buffer.from(encodeBodyLine(3, line));
        const got = peekRecord(buf, 0, buf.length - 1);
        const whole = JSON.parse(buf.toString("utf8", 0, buf.length - 1));
        if (got === null) expect(JSON.stringify(`/${p}`)).not.toBe(`"/${p}"`);
        else expect(got).toEqual({ path: whole.path, rec: whole.rec });
      }),
      { numRuns: 500 },
    );
  });
});

describe("appender", () => {
  test("J2: strict mode answers only after fsync", async () => {
    const io = new CountingIo();
    let open!: () => void;
    io.gate = new Promise((r) => {
      open = r;
    });
    const { w } = journal(io);
    let durable = false;
    let answered = false;
    const p = w
      .append([{ t: "set", ev: 1 }], () => {
        durable = true;
      })
      .then(() => {
        answered = true;
      });
    await until(() => io.appends === 1, 2000, "the write");
    // Written, but the fsync is held: nothing acknowledged yet.
    await new Promise((r) => setImmediate(r));
    expect(durable).toBe(false);
    expect(answered).toBe(false);
    open();
    await p;
    expect(durable).toBe(true);
    expect(io.fsyncs).toBe(1);
    await w.close();
  });

  test("J2: concurrent appends share one fsync (group commit)", async () => {
    const io = new CountingIo();
    let open!: () => void;
    io.gate = new Promise((r) => {
      open = r;
    });
    const { w, path } = journal(io);
    const n = 200;
    const order: number[] = [];
    const all = Array.from({ length: n }, (_, i) =>
      w.append([{ t: "set", ev: i + 1 }], () => order.push(i + 1)),
    );
    // The first append is in flight, the other 199 queue behind it.
    await until(() => io.appends === 1, 2000, "first write");
    open();
    await Promise.all(all);
    expect(io.fsyncs).toBe(2);
    expect(order).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const evs: number[] = [];
    scanLines(path, (l) => {
      if (l.decoded.ok && typeof l.decoded.value.ev === "number") evs.push(l.decoded.value.ev);
    });
    expect(evs).toEqual(order);
    await w.close();
  });

  test("J3: relaxed mode answers after write and fsyncs within the period", async () => {
    const io = new CountingIo();
    let open!: () => void;
    io.gate = new Promise((r) => {
      open = r;
    });
    const { w } = journal(io, "relaxed", 30);
    await w.append([{ t: "set", ev: 1 }], () => {});
    expect(io.appends).toBe(1);
    expect(io.fsyncs).toBe(0); // answered before any fsync
    open();
    await until(() => io.fsyncs >= 1, 3000, "periodic fsync");
    await w.close();
  });

  test("J3: relaxed mode stops answering early once an fsync failed, until the disk works again", async () => {
    let failing = true;
    const io: DiskIo = {
      append: realIo.append,
      truncate: realIo.truncate,
      async fsync(fd) {
        if (failing) throw Object.assign(new Error("EIO: fsync failed"), { code: "EIO" });
        await realIo.fsync(fd);
      },
    };
    const { w, health } = journal(io, "relaxed", 20);
    await w.append([{ t: "set", ev: 1 }], () => {}); // acknowledged before fsync, as relaxed does
    await until(() => health.includes(false), 3000, "the periodic fsync to fail");
    await expect(w.append([{ t: "set", ev: 2 }], () => {})).rejects.toBeInstanceOf(
      PersistenceError,
    );
    failing = false;
    await w.append([{ t: "set", ev: 3 }], () => {});
    expect(health.at(-1)).toBe(true);
    await w.close();
  });

  test("J4: a failed fsync rejects the whole group, cuts its bytes, and a later append succeeds", async () => {
    let failNext = true;
    const io: DiskIo = {
      append: realIo.append,
      truncate: realIo.truncate,
      async fsync(fd) {
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error("EIO: fsync failed"), { code: "EIO" });
        }
        await realIo.fsync(fd);
      },
    };
    const { w, path, health } = journal(io);
    const before = fs.statSync(path).size;
    let applied = 0;
    const a = w.append([{ t: "set", ev: 1 }], () => applied++);
    await expect(a).rejects.toBeInstanceOf(PersistenceError);
    expect(applied).toBe(0);
    expect(fs.statSync(path).size).toBe(before); // the unacknowledged bytes are gone
    expect(health).toEqual([false]);
    await w.append([{ t: "set", ev: 2 }], () => applied++);
    expect(applied).toBe(1);
    expect(health).toEqual([false, true]);
    await w.close();
    // The failed line's number is given to the next line: no gap (J8b).
    const numbers = fs
      .readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .slice(1)
      .map((l) => JSON.parse(l).n);
    expect(numbers).toEqual([1]);
  });

  test("J1: the writer numbers lines in order, across group commits, going on from the file's last line", async () => {
    const path = `${tempDir("journal")}/labels.log.jsonl`;
    createJournalFile(path, { ev: 40, seq: 30, crc: "abcd0123" });
    const w = new JournalWriter({
      path,
      mode: "strict",
      io: realIo,
      onHealth: () => {},
      last: { seq: 30, crc: "abcd0123" },
    });
    await Promise.all([
      w.append([{ t: "set", ev: 41 }], () => {}),
      w.append(
        [
          { g: [0, 2], t: "set", ev: 42 },
          { g: [1, 2], t: "resp" },
        ],
        () => {},
      ),
      w.append([{ t: "set", ev: 43 }], () => {}),
    ]);
    await w.close();
    const lines = fs.readFileSync(path, "utf8").split("\n").filter(Boolean);
    expect(JSON.parse(lines[0])).toMatchObject({ t: "head", format: 2, base_seq: 30 });
    expect(lines.slice(1).map((l) => JSON.parse(l).n)).toEqual([31, 32, 33, 34]);
    expect(lines[1].startsWith('{"n":31,"t":"set"')).toBe(true);
    expect(lines[2].startsWith('{"n":32,"g":[0,2],"t":"set"')).toBe(true);
    expect(w.last).toEqual({ seq: 34, crc: JSON.parse(lines[4]).crc });
  });
});
