/**
 * Our CSS/JS (public/) and the pinned client libraries from node_modules,
 * served with ETags so a reload transfers nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { etag } from "hono/etag";
import mime from "mime";

const PROJECT = join(import.meta.dir, "..", "..");

/** The browser libraries we ship, by URL name. Versions are pinned by package-lock.json. */
const VENDOR: Record<string, string> = {
  "htmx.js": "node_modules/htmx.org/dist/htmx.min.js",
  "hx-sse.js": "node_modules/htmx.org/dist/ext/hx-sse.min.js",
  "alpine.js": "node_modules/alpinejs/dist/cdn.min.js",
};

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
  app.get("/vendor/:name", (c) => {
    const name = c.req.param("name");
    const rel = VENDOR[name];
    if (!rel) return c.json({ error: "not_found", message: `no vendor file ${name}` }, 404);
    return cached(name, () => serveFile(join(PROJECT, rel), name));
  });
  app.get("/static/:name", (c) => {
    const name = c.req.param("name");
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name))
      return c.json({ error: "not_found", message: "no such file" }, 404);
    try {
      return cached(`static/${name}`, () => serveFile(join(PROJECT, "public", name), name));
    } catch {
      return c.json({ error: "not_found", message: `no static file ${name}` }, 404);
    }
  });
  return app;
}
