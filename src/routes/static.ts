/**
 * Our CSS/JS (public/) and the pinned client libraries from node_modules, served with ETags so a reload
 * transfers nothing. The page loads one script, /static/bundle.js, and one stylesheet, /static/app.min.css;
 * modules loaded on first use come as /static/<name>.min.js (and .min.css) — all built by
 * src/routes/client-build.ts (bench/page-weight.ts measures the first load). The modules stay readable and
 * individually served for tests and debugging.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { etag } from "hono/etag";
import mime from "mime";
import { buildClient, type ClientBuild, clientFingerprint, VENDOR } from "./client-build.ts";

const PROJECT = join(import.meta.dir, "..", "..");

function serveFile(abs: string, name: string): Response {
  const body = readFileSync(abs);
  return new Response(body, {
    headers: {
      "Content-Type": mime.getType(name) ?? "application/octet-stream",
      "Cache-Control": "no-cache",
    },
  });
}

export function staticRoutes(): Hono {
  const app = new Hono();
  app.use("/static/*", etag());
  app.use("/vendor/*", etag());
  // In production the files never change while the server runs: read once.
  const cache = new Map<string, Response>();
  const cached = (key: string, load: () => Response) => {
    if (process.env.NODE_ENV !== "production") return load();
    let r = cache.get(key);
    if (!r) {
      r = load();
      cache.set(key, r);
    }
    return r.clone();
  };
  // Built once in production; while developing, again when a file of public/ or views/ changed.
  let build: { key: string; result: Promise<ClientBuild> } | null = null;
  const client = () => {
    const key = process.env.NODE_ENV === "production" ? "" : clientFingerprint();
    if (!build || build.key !== key) build = { key, result: buildClient() };
    return build.result;
  };
  const builtFile = async (name: string) => {
    const f = (await client()).files.get(name);
    if (!f) return null;
    return new Response(f.body, {
      headers: { "Content-Type": f.type, "Cache-Control": "no-cache" },
    });
  };
  app.get("/vendor/:name", (c) => {
    const name = c.req.param("name");
    const rel = VENDOR[name];
    if (!rel) return c.json({ error: "not_found", message: `no vendor file ${name}` }, 404);
    return cached(name, () => serveFile(join(PROJECT, rel), name));
  });
  const notBuilt = (name: string) =>
    new Response(JSON.stringify({ error: "not_found", message: `no built file ${name}` }), {
      status: 404,
      headers: { "Content-Type": "application/json" },
    });
  app.get("/static/bundle.js", async () => (await builtFile("bundle.js")) ?? notBuilt("bundle.js"));
  app.get(
    "/static/app.min.css",
    async () => (await builtFile("app.min.css")) ?? notBuilt("app.min.css"),
  );
  app.get("/static/:name", async (c) => {
    const name = c.req.param("name");
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name))
      return c.json({ error: "not_found", message: "no such file" }, 404);
    // What the page loads on first use (x.min.js, x.min.css), built.
    if (name.includes(".min.")) return (await builtFile(name)) ?? notBuilt(name);
    try {
      return cached(`static/${name}`, () => serveFile(join(PROJECT, "public", name), name));
    } catch {
      return c.json({ error: "not_found", message: `no static file ${name}` }, 404);
    }
  });
  return app;
}
