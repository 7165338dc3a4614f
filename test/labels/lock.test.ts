/** One writer per workspace, with real processes holding and dying on the lock. */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { acquireWorkspaceLock, LOCK_FILE } from "../../src/workspace/lock.ts";
import { cleanupTempDirs, tempDir } from "./helpers.ts";

afterAll(cleanupTempDirs);

const LOCK_MODULE = join(import.meta.dir, "../../src/workspace/lock.ts");

/** A child process that takes the lock, prints the result, and (optionally) keeps running. */
function child(dir: string, hold: boolean) {
  const script = `
    import { acquireWorkspaceLock } from ${JSON.stringify(LOCK_MODULE)};
    const r = acquireWorkspaceLock(${JSON.stringify(dir)});
    console.log(JSON.stringify({ ok: r.ok, message: r.ok ? null : r.message }));
    if (${hold} && r.ok) setInterval(() => {}, 1000);
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const firstLine = (async () => {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    return JSON.parse(text.split("\n")[0]) as { ok: boolean; message: string | null };
  })();
  return { proc, firstLine };
}

describe("workspace lock", () => {
  test("W1: a second process is refused with a message naming the holder", async () => {
    const dir = tempDir("lock");
    const mine = acquireWorkspaceLock(dir);
    expect(mine.ok).toBe(true);
    const other = child(dir, false);
    const res = await other.firstLine;
    await other.proc.exited;
    expect(res.ok).toBe(false);
    expect(res.message).toContain(
      `in use by another Lenslet process (pid ${process.pid} on ${os.hostname()}`,
    );
    expect(res.message).toContain(join(dir, LOCK_FILE));
    // The same process asking again is refused too.
    const again = acquireWorkspaceLock(dir);
    expect(again.ok).toBe(false);
    if (mine.ok) mine.release();
    expect(fs.existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  test("W1: the lock of a killed process is taken over", async () => {
    const dir = tempDir("lock");
    const holder = child(dir, true);
    expect((await holder.firstLine).ok).toBe(true);
    const blocked = acquireWorkspaceLock(dir);
    expect(blocked.ok).toBe(false);
    expect(!blocked.ok && blocked.message).toContain(`pid ${holder.proc.pid}`);
    holder.proc.kill("SIGKILL");
    await holder.proc.exited;
    expect(fs.existsSync(join(dir, LOCK_FILE))).toBe(true); // left behind by the crash
    const taken = acquireWorkspaceLock(dir);
    expect(taken.ok).toBe(true);
    if (taken.ok) {
      expect(JSON.parse(fs.readFileSync(taken.path, "utf8")).pid).toBe(process.pid);
      taken.release();
    }
  });

  test("W1: a lock naming a pid that no longer exists, or a recycled pid, is stale", () => {
    const dir = tempDir("lock");
    const path = join(dir, LOCK_FILE);
    const base = { host: os.hostname(), started_at: "2020-01-01T00:00:00Z", token: "old" };
    fs.writeFileSync(path, JSON.stringify({ ...base, pid: 2 ** 22 + 12345, proc_start: null }));
    const a = acquireWorkspaceLock(dir);
    expect(a.ok).toBe(true);
    if (a.ok) a.release();
    // Our own pid, but another process start time: the pid was recycled (e.g. pid 1 in a container).
    fs.writeFileSync(path, JSON.stringify({ ...base, pid: process.pid, proc_start: "1" }));
    const b = acquireWorkspaceLock(dir);
    expect(b.ok).toBe(true);
    if (b.ok) b.release();
  });

  test("W1: release leaves a lock that is no longer ours alone", () => {
    const dir = tempDir("lock");
    const a = acquireWorkspaceLock(dir);
    if (!a.ok) throw new Error(a.message);
    const path = join(dir, LOCK_FILE);
    fs.writeFileSync(
      path,
      JSON.stringify({ pid: 1, host: "elsewhere", started_at: "x", token: "theirs" }),
    );
    a.release();
    expect(fs.existsSync(path)).toBe(true);
  });
});
