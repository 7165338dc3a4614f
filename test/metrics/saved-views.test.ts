/**
 * Saved views through the real app (D20): POST /views keeps a canonical query in the workspace's views.json,
 * GET /views lists them as deep links (for anyone who may view), a restart keeps them, bad bodies are 400
 * naming the field, a write from another origin is 403 like a label's, and every page hears views-changed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { quietLog } from "../helpers/lenslet.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) removeDir(d);
});

async function start(root?: string, workspace?: string) {
  const r = root ?? tempDir("lenslet-views-");
  const ws = workspace ?? tempDir("lenslet-views-ws-");
  if (!root) {
    dirs.push(r, ws);
    await writeTree(r, { "a.jpg": {}, "sub/b.jpg": {} });
  }
  const s = await startLenslet({ port: 0, root: r, workspace: ws }, { log: quietLog });
  servers.push(s);
  const get = (p: string, init?: RequestInit) => fetch(s.url + p, init);
  const save = (body: unknown, headers: Record<string, string> = {}) =>
    get("/views", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Lenslet-Name": "Ana", ...headers },
      body: JSON.stringify(body),
    });
  return { s, root: r, ws, get, save };
}

const links = async (get: (p: string) => Promise<Response>) =>
  [
    ...(await (await get("/views")).text()).matchAll(
      /class="saved-view" href="([^"]+)"[^>]*data-view-name="([^"]+)"/g,
    ),
  ].map((m) => [m[2], (m[1] ?? "").replace(/&amp;/g, "&")]);

describe("saved views (D20)", () => {
  test("D20: a saved view is a canonical deep link in GET /views, kept in views.json across a restart", async () => {
    const a = await start();
    expect(await links(a.get)).toEqual([]);
    const r = await a.save({
      name: "  Best  ",
      query: "?sort=metric:score&dir=desc&m.score=0.5..&recursive=1&sel=%2Fa.jpg&view=1&size=300",
    });
    expect(r.status).toBe(201);
    const { view } = await r.json();
    expect(view).toMatchObject({ name: "Best", created_by: "Ana" });
    expect(view.query).toBe("recursive=1&sort=metric%3Ascore&dir=desc&m.score=0.5..");
    expect((await a.save({ name: "all", query: "" })).status).toBe(201);
    // Saving a name again replaces that view.
    expect((await a.save({ name: "Best", query: "folder=%2Fsub" })).status).toBe(201);
    expect(await links(a.get)).toEqual([
      ["all", "/"],
      ["Best", "/?folder=%2Fsub"],
    ]);
    expect(existsSync(join(a.ws, "views.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(a.ws, "views.json"), "utf8")).views).toHaveLength(2);
    await a.s.stop();
    servers.splice(servers.indexOf(a.s), 1);
    const b = await start(a.root, a.ws);
    expect(await links(b.get)).toEqual([
      ["all", "/"],
      ["Best", "/?folder=%2Fsub"],
    ]);
  });

  test("D20: bad bodies are 400 naming the field; another origin's write is 403", async () => {
    const a = await start();
    for (const [body, field] of [
      [{ name: "", query: "" }, "name"],
      [{ name: "x".repeat(81) }, "name"],
      [{ name: "x", query: "m.score=abc" }, "m.score"],
      [{ query: "" }, "name"],
    ] as const) {
      const r = await a.save(body);
      expect(r.status).toBe(400);
      expect((await r.json()).field).toBe(field);
    }
    const bad = await a.get("/views", { method: "POST", body: "{nope" });
    expect(bad.status).toBe(400);
    const foreign = await a.save({ name: "x" }, { Origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toBe("local_origin_required");
    expect(await links(a.get)).toEqual([]);
  });

  test("D20: every open stream hears views-changed", async () => {
    const a = await start();
    const ctl = new AbortController();
    const stream = await a.get("/events", { signal: ctl.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const heard = (async () => {
      while (!text.includes("event: views-changed")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    })();
    // The stream is open once its hello arrives; then save.
    while (!text.includes(": hello")) await Bun.sleep(5);
    expect((await a.save({ name: "picks", query: "flag=pick" })).status).toBe(201);
    await heard;
    ctl.abort();
    const data = text.slice(text.indexOf("event: views-changed")).split("\n")[1] ?? "";
    expect(JSON.parse(data.replace(/^data: /, ""))).toEqual({ count: 1, name: "picks" });
  });
});
