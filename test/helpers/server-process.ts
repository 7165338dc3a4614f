/**
 * Starts the real Lenslet CLI (`bun run src/main.ts DIR …`) as a child process
 * on a free port and waits for its "Lenslet ready at URL" line. Used by
 * browser, crash and restart tests: the real server, not an in-process app.
 */

import { join } from "node:path";
import { type Subprocess, spawn } from "bun";

const PROJECT = join(import.meta.dir, "..", "..");
const BUN = process.execPath;

export interface ServerProcess {
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (crash tests). */
  kill(): Promise<void>;
}

export async function startServerProcess(
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const proc = spawn([BUN, "run", join(PROJECT, "src/main.ts"), ...args], {
    cwd: PROJECT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NODE_ENV: "production", ...opts.env },
  });
  let out = "";
  const decoder = new TextDecoder();
  let resolveUrl: (u: string) => void;
  let rejectUrl: (e: Error) => void;
  const ready = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      const m = /Lenslet ready at (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    }
  };
  const pumped = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  // The exit can be seen before the last of stderr is read: wait for both pipes to end, so the
  // error carries what the process said (a refusal's one line).
  void proc.exited.then(async (code) => {
    await pumped.catch(() => {});
    rejectUrl(new Error(`server exited with ${code} before it was ready:\n${out}`));
  });
  const timeout = setTimeout(
    () => rejectUrl(new Error(`server not ready after ${opts.timeoutMs ?? 60000} ms:\n${out}`)),
    opts.timeoutMs ?? 60000,
  );
  try {
    const url = await ready;
    return {
      url,
      proc,
      output: () => out,
      async stop() {
        proc.kill("SIGTERM");
        await proc.exited;
      },
      async kill() {
        proc.kill("SIGKILL");
        await proc.exited;
      },
    };
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  } finally {
    clearTimeout(timeout);
  }
}
