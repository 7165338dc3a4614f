/**
 * Our CSS/JS (public/) and the pinned client libraries from node_modules,
 * served with ETags so a reload transfers nothing. The page loads one script, /static/bundle.js: the
 * libraries and our modules (public/main.js and what it imports, bundled and minified by Bun.build) in one
 * file, and app.css minified, so the first load stays small (bench/page-weight.ts). The modules stay
 * readable and individually served for tests and debugging.
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

/** Script order as the page ran them: htmx, its SSE extension, ours (reads htmx at start), Alpine last. */
const BUNDLE_BEFORE = ["htmx.js", "hx-sse.js"] as const;
const BUNDLE_AFTER = ["alpine.js"] as const;

async function buildBundle(): Promise<Response> {
  const ours = await Bun.build({
    entrypoints: [join(PROJECT, "public", "main.js")],
    minify: true,
    target: "browser",
    format: "iife",
  });
  if (!ours.success) throw new AggregateError(ours.logs, "public/main.js does not bundle");
  const vendor = (names: readonly string[]) =>
    names.map((n) => readFileSync(join(PROJECT, VENDOR[n]!), "utf8"));
  const body = [...vendor(BUNDLE_BEFORE), await ours.outputs[0]!.text(), ...vendor(BUNDLE_AFTER)]
    .map((code) => `${code.trim()}\n;`)
    .join("\n");
  return new Response(body, {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" },
  });
}

async function buildCss(): Promise<Response> {
  const css = await Bun.build({ entrypoints: [join(PROJECT, "public", "app.css")], minify: true });
  if (!css.success) throw new AggregateError(css.logs, "public/app.css does not build");
  return new Response(await css.outputs[0]!.text(), {
    headers: { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache" },
  });
}

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
  const built = new Map<string, Promise<Response>>();
  const cachedBuild = async (key: string, build: () => Promise<Response>) => {
    if (process.env.NODE_ENV !== "production") return build();
    let r = built.get(key);
    if (!r) {
      r = build();
      built.set(key, r);
    }
    return (await r).clone();
  };
  app.get("/vendor/:name", (c) => {
    const name = c.req.param("name");
    const rel = VENDOR[name];
    if (!rel) return c.json({ error: "not_found", message: `no vendor file ${name}` }, 404);
    return cached(name, () => serveFile(join(PROJECT, rel), name));
  });
  app.get("/static/bundle.js", () => cachedBuild("bundle.js", buildBundle));
  app.get("/static/app.min.css", () => cachedBuild("app.min.css", buildCss));
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
