/**
 * Label rules through the real server process (`bun run src/main.ts`): a
 * disk that breaks and heals while it runs (LENSLET_FAULTS_FILE), the
 * workspace lock between two processes, and --no-write.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { spawn } from "bun";
import { tempWorkspaceFor } from "../../src/workspace/workspace.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { cleanupTempDirs, tempDir } from "./helpers.ts";

afterAll(cleanupTempDirs);

function gallery(): string {
  const root = tempDir("srv-root");
  for (const name of ["a.jpg", "b.jpg"]) fs.writeFileSync(join(root, name), "x");
  return root;
}

async function patchItem(url: string, path: string, body: unknown, key = crypto.randomUUID()) {
  const res = await fetch(`${url}/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function labelsHealth(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/health`);
  return ((await res.json()) as { labels: Record<string, unknown> }).labels;
}

describe("the real server", () => {
  test("J4: a disk that fails while the server runs gives 503 and heals by itself", async () => {
    const faults = join(tempDir("srv-faults"), "faults");
    const server = await startServerProcess(
      [gallery(), "--port", "0", "--workspace", tempDir("srv-ws")],
      {
        env: { LENSLET_FAULTS_FILE: faults },
      },
    );
    try {
      expect((await patchItem(server.url, "/a.jpg", { base_version: 1, set_star: 3 })).status).toBe(
        200,
      );
      fs.writeFileSync(faults, "fsync:EIO");
      const key = crypto.randomUUID();
      const failed = await patchItem(server.url, "/a.jpg", { base_version: 2, set_star: 4 }, key);
      expect(failed.status).toBe(503);
      expect(failed.body.error).toBe("label_persistence_unavailable");
      expect(await labelsHealth(server.url)).toMatchObject({
        state: "failed",
        durability: "strict",
      });
      fs.rmSync(faults);
      for (let i = 0; (await labelsHealth(server.url)).state !== "saved"; i++) {
        if (i > 500) throw new Error("state never went back to saved");
        await new Promise((r) => setTimeout(r, 20));
      }
      const retried = await patchItem(server.url, "/a.jpg", { base_version: 2, set_star: 4 }, key);
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ star: 4, version: 3 });
    } finally {
      await server.stop();
    }
  }, 60_000);

  test("W1: a second Lenslet on the same workspace is refused, naming the first", async () => {
    const ws = tempDir("srv-ws");
    const root = gallery();
    const first = await startServerProcess([root, "--port", "0", "--workspace", ws]);
    try {
      const second = spawn(
        [
          process.execPath,
          "run",
          join(import.meta.dir, "../../src/main.ts"),
          root,
          "--port",
          "0",
          "--workspace",
          ws,
        ],
        {
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const code = await second.exited;
      const err = await new Response(second.stderr).text();
      expect(code).not.toBe(0);
      expect(err).toContain(`in use by another Lenslet process (pid ${first.proc.pid}`);
    } finally {
      await first.stop();
    }
    // A clean stop releases the lock.
    expect(fs.existsSync(join(ws, "lenslet.lock"))).toBe(false);
  }, 60_000);

  test("W2: --no-write keeps labels in memory and every answer says so", async () => {
    const root = gallery();
    const server = await startServerProcess([root, "--port", "0", "--no-write"]);
    try {
      const w = await patchItem(server.url, "/b.jpg", { add_tags: ["x"] });
      expect(w.status).toBe(200);
      expect(w.body.persistence).toBe("memory");
      expect(await labelsHealth(server.url)).toMatchObject({
        durability: "memory",
        state: "disabled",
      });
    } finally {
      await server.stop();
      // --no-write keeps its caches in a temp folder of its own.
      fs.rmSync(tempWorkspaceFor(root), { recursive: true, force: true });
    }
  }, 60_000);
});
