/** The command line, run as a real process: errors are one line with exit code 2; a taken port moves on. */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

function run(args: string[]) {
  const p = Bun.spawnSync([process.execPath, "run", MAIN, ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

describe("lenslet CLI", () => {
  test("G9: a missing folder is one line on stderr and exit code 2", () => {
    const r = run(["/no/such/folder"]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toEqual(["lenslet: /no/such/folder: no such folder"]);
  });

  test("G9: a file instead of a folder, and a bad option value, are one-line errors too", () => {
    const d = tempDir();
    dirs.push(d);
    writeFileSync(join(d, "x.jpg"), "x");
    const file = run([join(d, "x.jpg")]);
    expect(file.code).toBe(2);
    expect(file.err.trim().split("\n")).toHaveLength(1);
    const port = run(["--port", "eighty", d]);
    expect(port.code).toBe(2);
    expect(port.err).toContain("--port");
    expect(port.err.trim().split("\n")).toHaveLength(1);
  });

  test("--help lists the options; --version prints the version", () => {
    const help = run(["--help"]);
    expect(help.code).toBe(0);
    for (const o of [
      "--port",
      "--host",
      "--thumb-size",
      "--thumb-quality",
      "--workspace",
      "--no-write",
      "--open",
      "--durability",
    ]) {
      expect(help.out).toContain(o);
    }
    const v = run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(pkg.version);
  });

  test("a taken port: the next free one is used, and it says so", async () => {
    const d = tempDir();
    dirs.push(d);
    await writeTree(d, { "a.jpg": {} });
    const blocker = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => new Response("busy"),
    });
    const server = await startServerProcess([
      d,
      "--port",
      String(blocker.port),
      "--workspace",
      join(d, "ws"),
    ]);
    try {
      const port = Number(new URL(server.url).port);
      expect(port).toBeGreaterThan(blocker.port!);
      expect(server.output()).toContain(`port ${blocker.port} is in use; using ${port} instead`);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.stop();
      blocker.stop(true);
    }
  });

  test("W1: a second Lenslet on the same workspace is refused, naming the first", async () => {
    const d = tempDir();
    dirs.push(d);
    await writeTree(d, { "a.jpg": {} });
    const first = await startServerProcess([d, "--port", "0"]);
    try {
      const second = run([d, "--port", "0"]);
      expect(second.code).toBe(2);
      expect(second.err).toContain(String(first.proc.pid));
    } finally {
      await first.stop();
    }
  });

  test("G2 W2: a folder whose workspace cannot be created falls back to a per-folder temp workspace, and says so", async () => {
    const d = tempDir();
    dirs.push(d);
    await writeTree(d, { "a.jpg": {} });
    // Not a folder: nothing (not even root) can create DIR/.lenslet here, as on a read-only disk.
    writeFileSync(join(d, ".lenslet"), "in the way");
    const server = await startServerProcess([d, "--port", "0"]);
    try {
      const health = await (await fetch(`${server.url}/health`)).json();
      expect(health.can_write).toBe(true);
      expect(health.workspace).not.toBe(join(d, ".lenslet"));
      expect(health.notice).toContain("is not writable; labels are kept in");
      expect(server.output()).toContain("is not writable; labels are kept in");
      const page = await (await fetch(server.url)).text();
      expect(page).toContain("is not writable; labels are kept in");
      dirs.push(health.workspace);
    } finally {
      await server.stop();
    }
  });
});
