/**
 * One writer per workspace: `lenslet.lock` in the workspace names the process
 * serving it (pid, host, start time). A second Lenslet on the same workspace
 * is refused with a message naming that process; a lock left by a process
 * that is gone (killed, crashed, or a recycled pid) is taken over.
 */
import fs from "node:fs";
import os from "node:os";

export const LOCK_FILE = "lenslet.lock";
/** Several processes sharing the workspace through Redis (`--redis`): one file each, in here. */
export const SHARED_DIR = "lenslet.shared";

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;
  /** Kernel start time of the process (Linux /proc), to tell a recycled pid from the holder. */
  proc_start: string | null;
  token: string;
}

export type LockResult =
  | { ok: true; path: string; info: LockInfo; release(): void }
  | { ok: false; message: string; holder: LockInfo | null };

/** Field 22 (starttime) and field 3 (state) of /proc/<pid>/stat, or null off Linux. */
function procStat(pid: number): { start: string; state: string } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0], start: rest[19] };
  } catch {
    return null;
  }
}

/** False only when we can tell the holder is gone. */
export function holderAlive(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return true; // cannot check another machine: assume it runs
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code === "ESRCH") return false;
  }
  const stat = procStat(info.pid);
  if (stat === null) return true;
  if (stat.state === "Z" || stat.state === "X") return false; // killed, not yet reaped
  if (info.proc_start !== null && stat.start !== info.proc_start) return false; // pid recycled
  return true;
}

function readLock(path: string): LockInfo | null {
  try {
    const v = JSON.parse(fs.readFileSync(path, "utf8")) as Partial<LockInfo>;
    if (typeof v.pid !== "number" || typeof v.host !== "string") return null;
    return {
      pid: v.pid,
      host: v.host,
      started_at: String(v.started_at ?? "?"),
      proc_start: typeof v.proc_start === "string" ? v.proc_start : null,
      token: String(v.token ?? ""),
    };
  } catch {
    return null;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - fs.statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function describe(h: LockInfo): string {
  return `pid ${h.pid} on ${h.host}, started ${h.started_at}`;
}

/**
 * The workspace for this process. Alone (`shared` unset): the one lock, and no
 * process may be serving it through Redis. Shared (`shared` = the gallery's
 * name in Redis): any number of processes with the same name may serve it, but
 * not while a process holds the one lock (it writes the local journal, which
 * they would not see). Each side writes its own mark before it looks for the
 * other's, so two starting at once cannot both go on.
 */
export function acquireWorkspaceLock(dir: string, opts: { shared?: string } = {}): LockResult {
  if (opts.shared !== undefined) return joinShared(dir, opts.shared);
  const lock = acquireAlone(dir);
  if (!lock.ok) return lock;
  const member = liveMembers(dir)[0];
  if (member) {
    lock.release();
    return {
      ok: false,
      holder: member,
      message: `the workspace ${dir} is served through Redis by other Lenslet processes (${describe(member)}); start this one with the same --redis, or stop them`,
    };
  }
  return lock;
}

interface MemberInfo extends LockInfo {
  shared: string;
}

function liveMembers(dir: string, except?: string): MemberInfo[] {
  const folder = `${dir}/${SHARED_DIR}`;
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const out: MemberInfo[] = [];
  for (const name of names) {
    const path = `${folder}/${name}`;
    if (path === except) continue;
    const base = readLock(path);
    const info = base ? { ...base, shared: readShared(path) } : null;
    if (info && holderAlive(info)) out.push(info);
    else if (info || ageMs(path) > 2000) fs.rmSync(path, { force: true });
  }
  return out;
}

function readShared(path: string): string {
  try {
    return String((JSON.parse(fs.readFileSync(path, "utf8")) as { shared?: unknown }).shared ?? "");
  } catch {
    return "";
  }
}

function joinShared(dir: string, shared: string): LockResult {
  const folder = `${dir}/${SHARED_DIR}`;
  fs.mkdirSync(folder, { recursive: true });
  const info: MemberInfo = {
    pid: process.pid,
    host: os.hostname(),
    started_at: new Date().toISOString(),
    proc_start: procStat(process.pid)?.start ?? null,
    token: crypto.randomUUID(),
    shared,
  };
  const path = `${folder}/${info.host}-${info.pid}.json`;
  fs.writeFileSync(path, `${JSON.stringify(info)}\n`);
  const refuse = (message: string, holder: LockInfo | null): LockResult => {
    fs.rmSync(path, { force: true });
    return { ok: false, message, holder };
  };
  const alone = readLock(`${dir}/${LOCK_FILE}`);
  if (alone && holderAlive(alone)) {
    return refuse(
      `the workspace ${dir} is in use by a Lenslet process with its own journal (${describe(alone)}); stop it (then \`lenslet migrate\` moves its labels into Redis), or choose another folder with --workspace`,
      alone,
    );
  }
  const other = liveMembers(dir, path).find((m) => m.shared !== shared);
  if (other) {
    return refuse(
      `the workspace ${dir} is served by Lenslet processes on another Redis gallery (${other.shared}, ${describe(other)})`,
      other,
    );
  }
  return granted(path, info);
}

function acquireAlone(dir: string): LockResult {
  fs.mkdirSync(dir, { recursive: true });
  const path = `${dir}/${LOCK_FILE}`;
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    started_at: new Date().toISOString(),
    proc_start: procStat(process.pid)?.start ?? null,
    token: crypto.randomUUID(),
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const fd = fs.openSync(path, "wx");
      try {
        fs.writeSync(fd, `${JSON.stringify(info)}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return granted(path, info);
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") {
        return {
          ok: false,
          message: `cannot create the workspace lock ${path}: ${(err as Error).message}`,
          holder: null,
        };
      }
    }
    const holder = readLock(path);
    if (holder === null && ageMs(path) < 2000) {
      sleepSync(20); // being written right now
      continue;
    }
    if (holder !== null && holderAlive(holder)) {
      const self = holder.pid === process.pid && holder.host === info.host;
      return {
        ok: false,
        holder,
        message: self
          ? `the workspace ${dir} is already open in this process (${describe(holder)})`
          : `the workspace ${dir} is in use by another Lenslet process (${describe(holder)}). Stop that process, or choose another folder with --workspace. If it is not running any more, delete ${path}.`,
      };
    }
    if (!takeOver(path, holder)) sleepSync(20);
  }
  return {
    ok: false,
    message: `could not take the workspace lock ${path}: it keeps changing`,
    holder: readLock(path),
  };
}

/** Removes a stale lock, serialised by a short-lived `.takeover` file so two starters cannot both win. */
function takeOver(path: string, stale: LockInfo | null): boolean {
  const guard = `${path}.takeover`;
  try {
    fs.closeSync(fs.openSync(guard, "wx"));
  } catch {
    if (ageMs(guard) > 5000) fs.rmSync(guard, { force: true }); // its owner died mid-takeover
    return false;
  }
  try {
    const now = readLock(path);
    if ((now?.token ?? null) === (stale?.token ?? null)) fs.rmSync(path, { force: true });
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function granted(path: string, info: LockInfo): LockResult {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    // Only remove it if it is still ours.
    if (readLock(path)?.token === info.token) fs.rmSync(path, { force: true });
  };
  process.on("exit", release);
  return { ok: true, path, info, release };
}
