/**
 * Request bodies are bounded per route, refused before they are read, and all
 * bodies read at once share one budget: through a real server, real sockets.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createApp } from "../../src/app.ts";
import {
  MAX_BATCH_PATCHES,
  MAX_NOTES_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
} from "../../src/labels/schema.ts";
import { BODY_LIMITS, BodyBudget, bodyLimitFor } from "../../src/routes/body-limits.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let app: TestLenslet;
beforeAll(async () => {
  app = await startTestLenslet({ "a.jpg": {} });
});
afterAll(() => app.dispose());

const MiB = 1024 * 1024;

/** Sends `head` (and then `body`), and resolves with everything the server answers until it closes. */
function rawExchange(port: number, head: string, body = "", timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    // A server that waits for the announced body never answers: report what came instead of hanging.
    const timer = setTimeout(() => resolve(`${buf}<no answer within ${timeoutMs} ms>`), timeoutMs);
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.write(head + body);
        },
        data(s, d) {
          buf += new TextDecoder().decode(d);
          // The whole answer is in once its JSON body is: stop waiting for the server to close.
          if (/\r\n\r\n\{.*\}$/s.test(buf)) s.end();
        },
        close() {
          clearTimeout(timer);
          resolve(buf);
        },
        error(_s, e) {
          clearTimeout(timer);
          reject(e);
        },
      },
    });
  });
}

/** A lazily generated body of `size` bytes (nothing is held in memory); counts what was pulled. */
function lazyBody(size: number, chunkBytes = 64 * 1024) {
  const chunk = new Uint8Array(chunkBytes).fill(0x20);
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (state.pulled >= size) return ctrl.close();
      state.pulled += chunk.length;
      ctrl.enqueue(chunk);
    },
  });
  return { stream, state };
}

function postStream(url: string, stream: ReadableStream<Uint8Array>) {
  return fetch(url, {
    method: "POST",
    body: stream,
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    duplex: "half",
  } as RequestInit);
}

describe("body limits (H2)", () => {
  test("H2: every route the app mounts that takes a body has a limit in the table, and every entry is a route", () => {
    const withBody = createApp(app.deps)
      .routes.filter((r) => ["POST", "PUT", "PATCH"].includes(r.method))
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(withBody)).toEqual(new Set(Object.keys(BODY_LIMITS)));
    for (const [route, { bytes }] of Object.entries(BODY_LIMITS)) {
      const [method, path] = route.split(" ") as [string, string];
      expect(bodyLimitFor(method, path)).toBe(bytes);
      expect(bytes).toBeGreaterThan(0);
    }
    expect(bodyLimitFor("GET", "/export")).toBe(0);
    expect(bodyLimitFor("POST", "/nowhere")).toBe(0);
  });

  test("H2: a Content-Length over the limit is refused at once with 413, without waiting for the body", async () => {
    const started = performance.now();
    const answer = await rawExchange(
      app.port,
      `POST /items/patch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nIdempotency-Key: k\r\nContent-Length: ${100 * MiB}\r\n\r\n`,
      '{"patches":',
    );
    expect(answer).toStartWith("HTTP/1.1 413");
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
    expect(body).toMatchObject({
      error: "payload_too_large",
      limit_bytes: BODY_LIMITS["POST /items/patch"]!.bytes,
    });
    expect(body.message).toContain("32 MiB");
    // 100 MB were announced (under Bun's own 128 MB cap, so the app decides) and 11 bytes sent:
    // only a refusal before reading answers at all.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test("H2: a streamed (chunked) body is cut with 413 once it crosses the limit", async () => {
    const { stream, state } = lazyBody(100 * MiB);
    const res = await postStream(`${app.url}/items/patch`, stream);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe("payload_too_large");
    // The client was not made to send its 100 MB: the server stopped soon after 32 MiB.
    expect(state.pulled).toBeLessThan(64 * MiB);
  });

  test("H2: single-item writes take at most 1 MiB; presence 4 KiB (refused before JSON parsing)", async () => {
    const big = JSON.stringify({ base_version: 1, set_notes: "x".repeat(MiB) });
    const patch = await app.get("/item?path=/a.jpg", {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": "k1" },
      body: big,
    });
    expect(patch.status).toBe(413);
    // P13: over 4 KiB → 413 whatever the body is (not 400 for its bad JSON).
    const presence = await app.get("/presence/join", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "{".repeat(4097),
    });
    expect(presence.status).toBe(413);
    expect(((await presence.json()) as { error: string }).error).toBe("payload_too_large");
    const small = await app.get("/presence/join", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ gallery_id: "/", client_id: "c1", name: "n".repeat(60) }),
    });
    expect(small.status).toBe(200);
  });

  test("H2: the largest valid batch (1,000 patches, each a full note and 64 full-length tags) is accepted", async () => {
    const note = "n".repeat(MAX_NOTES_LENGTH);
    const tags = Array.from({ length: MAX_TAGS }, (_, i) =>
      String(i).padStart(MAX_TAG_LENGTH, "t"),
    );
    const patches = Array.from({ length: MAX_BATCH_PATCHES }, (_, i) => ({
      path: `/shoot-2026-11/day-${i % 10}/IMG_${String(i).padStart(5, "0")}.jpg`,
      base_version: 123456,
      set_star: 5,
      set_notes: note,
      set_tags: tags,
    }));
    patches[0]!.path = "/a.jpg";
    patches[0]!.base_version = 1;
    const body = JSON.stringify({ patches });
    expect(body.length).toBeGreaterThan(28_000_000);
    const res = await app.get("/items/patch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body,
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { applied: number; results: { status: number }[] };
    expect(out.applied).toBe(1);
    expect(out.results.length).toBe(MAX_BATCH_PATCHES);
  });

  test("H2: the shared budget refuses a body that does not fit with 503 and Retry-After, and frees what answered", () => {
    const b = new BodyBudget(100);
    expect(b.tryReserve(60)).toBe(true);
    expect(b.tryReserve(50)).toBe(false);
    b.release(60);
    expect(b.tryReserve(100)).toBe(true);
    expect(b.inUse).toBe(100);
  });
});

describe("memory under a flood of large bodies (H2)", () => {
  test("H2: 16 concurrent 100 MB streamed bodies to /items/patch raise the server's peak RSS by less than 400 MB", async () => {
    const root = tempDir("lenslet-flood-");
    await writeTree(root, { "a.jpg": {} });
    const server = await startServerProcess([root, "--port", "0", "--no-write"]);
    const peakMb = () =>
      Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.proc.pid}/status`, "utf8"))![1]) /
      1024;
    try {
      const before = peakMb();
      const answers = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const { stream } = lazyBody(100 * MiB);
          try {
            const res = await postStream(`${server.url}/items/patch`, stream);
            await res.arrayBuffer();
            return res.status;
          } catch {
            return 0; // the server closed on us mid-body: also a refusal
          }
        }),
      );
      const grown = peakMb() - before;
      expect(grown).toBeLessThan(400);
      // Each was refused: over its limit (413) or beyond the shared budget (503), never read whole.
      for (const s of answers) expect([0, 413, 503]).toContain(s);
      expect(answers.filter((s) => s === 413).length).toBeGreaterThan(0);
      // Still serving.
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.stop();
      removeDir(root);
    }
  });
});
