/**
 * Event ids must keep increasing across restarts, but only label writes are
 * journaled; presence and persistence events are not. So the workspace keeps
 * a high-water mark `events.hwm`: "no id at or above this was issued". It is
 * raised in blocks, durably, before the first id of a new block is handed
 * out; the next process starts at or above it.
 */
import fs from "node:fs";
import { fsyncDir } from "../core/durable-file.ts";
import type { Logger } from "../core/logger.ts";

export const ID_FLOOR_FILE = "events.hwm";
export const ID_BLOCK = 1000;

export class IdFloor {
  private limit: number;
  private failedAt = 0;

  private constructor(
    private readonly path: string | null,
    /** The mark found at startup: ids below it may have been issued. */
    readonly persisted: number,
    private readonly log: Logger,
    private readonly block: number,
  ) {
    this.limit = persisted;
  }

  /** Reads the mark in `dir` (0 when absent or unreadable); `dir` null keeps it in memory. */
  static open(dir: string | null, log: Logger, block = ID_BLOCK): IdFloor {
    if (dir === null) return new IdFloor(null, 0, log, block);
    const path = `${dir}/${ID_FLOOR_FILE}`;
    let persisted = 0;
    try {
      const n = Number.parseInt(fs.readFileSync(path, "utf8").trim(), 10);
      if (Number.isSafeInteger(n) && n > 0) persisted = n;
    } catch {
      // No mark yet.
    }
    return new IdFloor(path, persisted, log, block);
  }

  /** Call before handing out `id`: raises the mark when `id` reaches it. */
  ensure(id: number): void {
    if (id < this.limit) return;
    const next = id + this.block;
    if (this.path === null) {
      this.limit = next;
      return;
    }
    try {
      const tmp = `${this.path}.tmp`;
      const fd = fs.openSync(tmp, "w");
      try {
        fs.writeSync(fd, `${next}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.path);
      fsyncDir(this.path);
      this.limit = next;
    } catch (err) {
      // Label ids stay safe without it (the journal holds them); only events that
      // are not journaled could repeat an id after a crash. Say so, at most once a minute.
      const now = Date.now();
      if (now - this.failedAt > 60_000) {
        this.failedAt = now;
        this.log.warn(
          `events: cannot save the event id high-water mark (${(err as Error).message})`,
        );
      }
    }
  }

  /**
   * Makes every id `bus` hands out pass through `ensure` first. The bus has no
   * hook of its own; `publish` calls `reserve`, so wrapping it covers both.
   */
  guard(bus: { reserve(): number }): void {
    const reserve = bus.reserve.bind(bus);
    bus.reserve = () => {
      const id = reserve();
      this.ensure(id);
      return id;
    };
  }
}
