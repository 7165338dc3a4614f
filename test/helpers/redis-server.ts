/**
 * A real redis-server (Debian's, installed by scripts/ensure-test-tools.sh) of
 * the test's own: a free loopback port, a temp dir, the AOF fsync'd on every
 * write — never the system one. kill() is a SIGKILL (a crash: what the AOF
 * holds survives), restart() starts it again on the same port and dir.
 */
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { type Subprocess, spawn } from "bun";

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** redis-cli style: one command, its reply. */
  cli(...args: string[]): Promise<string>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its dir. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

export async function startRedis(extra: string[] = []): Promise<TestRedis> {
  const dir = fs.mkdtempSync(join(os.tmpdir(), "lenslet-redis-"));
  const port = await freePort();
  let proc: Subprocess | null = null;
  const start = async () => {
    proc = spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        ...extra,
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    const t0 = Date.now();
    for (;;) {
      // Ours, not whatever else may answer on that port: it names our dir.
      const r = Bun.spawnSync(["redis-cli", "-p", String(port), "CONFIG", "GET", "dir"]);
      if (r.stdout.toString().includes(fs.realpathSync(dir))) return;
      if ((proc as Subprocess).exitCode !== null || Date.now() - t0 > 10_000)
        throw new Error(`redis-server on ${port} did not start`);
      await Bun.sleep(20);
    }
  };
  await start();
  const self: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async cli(...args) {
      const r = Bun.spawn(["redis-cli", "-p", String(port), ...args], { stdout: "pipe" });
      return (await new Response(r.stdout).text()).trim();
    },
    async kill() {
      const p = proc as Subprocess | null;
      if (!p) return;
      p.kill("SIGKILL");
      await p.exited;
      proc = null;
    },
    async restart() {
      await self.kill();
      await start();
    },
    async dispose() {
      await self.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
