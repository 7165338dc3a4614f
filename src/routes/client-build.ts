/**
 * Builds the page's client code from public/ (issue 10: first load ≤ 50 KB of JS + CSS, gzip).
 *
 * - The first load is one script, `bundle.js`: htmx, its SSE extension, the modules public/main.js imports
 *   (bundled and minified as one IIFE), then Alpine; and `app.min.css`.
 * - A module imported with `import("./x.js")` is loaded on first use: it is bundled on its own as
 *   `x.min.js` (an ES module), with its stylesheet `x.css` as `x.min.css` when there is one
 *   (public/on-demand.js loads both). Its imports of modules the first load already has are not bundled
 *   again: they read the same module objects (a registry the first load fills), so state stays shared.
 *   A module both imported at start and with import() is an error. A module only on-demand ones import
 *   is on demand too: each is one file, shared by its URL like any ES module.
 *
 * The module graph is read with Bun's import scanner, so there is no list to keep by hand.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { BunPlugin } from "bun";

const PROJECT = join(import.meta.dir, "..", "..");
const PUBLIC = join(PROJECT, "public");

/** The browser libraries we ship, by URL name. Versions are pinned by package-lock.json. */
export const VENDOR: Record<string, string> = {
  "htmx.js": "node_modules/htmx.org/dist/htmx.min.js",
  "hx-sse.js": "node_modules/htmx.org/dist/ext/hx-sse.min.js",
  "alpine.js": "node_modules/alpinejs/dist/cdn.min.js",
};
/** Script order as the page runs them: htmx, its SSE extension, ours (reads htmx at start), Alpine last. */
const BEFORE = ["htmx.js", "hx-sse.js"] as const;
const AFTER = ["alpine.js"] as const;
/** Where the first load puts the module objects on-demand modules share. */
const REGISTRY = "__lensletModules";

export interface ClientGraph {
  /** Modules of the first load (absolute paths under public/). */
  start: Set<string>;
  /** Modules loaded on first use. */
  onDemand: Set<string>;
  /** Modules of the first load that on-demand ones import (they go in the registry). */
  shared: Set<string>;
}

export interface ClientBuild {
  /** Served name (bundle.js, app.min.css, compare.min.js, compare.min.css) → body. */
  files: Map<string, { body: string; type: string }>;
  graph: ClientGraph;
}

const servedName = (abs: string) => basename(abs).replace(/\.js$/, ".min.js");

/** Follows public/main.js's imports: static ones are the first load, dynamic ones are on demand. */
export function clientGraph(entry = join(PUBLIC, "main.js")): ClientGraph {
  // The page's modules are the entry's folder's .js files; anything else (views/*.ts) is bundled in.
  const isModule = (abs: string) => dirname(abs) === dirname(entry) && abs.endsWith(".js");
  const scanner = new Bun.Transpiler({ loader: "js" });
  const imports = (file: string) =>
    scanner
      .scanImports(readFileSync(file, "utf8"))
      .map((i) => ({ abs: resolve(dirname(file), i.path), dynamic: i.kind === "dynamic-import" }))
      .filter((i) => isModule(i.abs));
  const start = new Set<string>();
  const onDemand = new Set<string>();
  const shared = new Set<string>();
  const wanted: string[] = [];
  const walkStart = (file: string) => {
    if (start.has(file)) return;
    start.add(file);
    for (const i of imports(file)) i.dynamic ? wanted.push(i.abs) : walkStart(i.abs);
  };
  walkStart(entry);
  while (wanted.length) {
    const file = wanted.pop()!;
    if (start.has(file))
      throw new Error(`${basename(file)} is imported at start and on demand: choose one`);
    if (onDemand.has(file)) continue;
    onDemand.add(file);
    for (const i of imports(file)) {
      if (start.has(i.abs)) {
        if (i.dynamic) throw new Error(`${basename(i.abs)} is loaded at start already`);
        shared.add(i.abs);
      } else wanted.push(i.abs); // used only by on-demand modules: on demand too, its own file
    }
  }
  return { start, onDemand, shared };
}

/** Dynamic imports of on-demand modules stay imports, of their built file. */
function onDemandExternal(graph: ClientGraph): BunPlugin {
  return {
    name: "lenslet-on-demand",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (a) => {
        if (a.kind === "entry-point-build" || a.kind === "entry-point-run") return undefined;
        const abs = resolve(dirname(a.importer), a.path);
        if (graph.onDemand.has(abs)) return { path: `/static/${servedName(abs)}`, external: true };
        return undefined;
      });
    },
  };
}

/** In an on-demand module, a first-load module is the registry's object (read live, as an import is). */
function sharedFromRegistry(graph: ClientGraph): BunPlugin {
  return {
    name: "lenslet-shared",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (a) => {
        if (a.kind === "entry-point-build" || a.kind === "entry-point-run") return undefined;
        const abs = resolve(dirname(a.importer), a.path);
        if (graph.shared.has(abs)) return { path: basename(abs), namespace: "lenslet-shared" };
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "lenslet-shared" }, (a) => ({
        contents: `module.exports = globalThis.${REGISTRY}[${JSON.stringify(a.path)}];`,
        loader: "js",
      }));
    },
  };
}

/** An entry point made here (the first load's: main.js and the registry). */
function virtualEntry(name: string, contents: string): BunPlugin {
  return {
    name: "lenslet-entry",
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({
        path: name,
        namespace: "lenslet",
      }));
      b.onLoad({ filter: /.*/, namespace: "lenslet" }, () => ({ contents, loader: "js" }));
    },
  };
}

const vendor = (names: readonly string[]) =>
  names.map((n) => readFileSync(join(PROJECT, VENDOR[n]!), "utf8"));

async function buildCss(file: string): Promise<string> {
  const css = await Bun.build({ entrypoints: [file], minify: true });
  if (!css.success) throw new AggregateError(css.logs, `${basename(file)} does not build`);
  return css.outputs[0]!.text();
}

export async function buildClient(): Promise<ClientBuild> {
  const graph = clientGraph();
  const files: ClientBuild["files"] = new Map();
  const js = "text/javascript; charset=utf-8";
  const css = "text/css; charset=utf-8";

  // The first load: main.js, then the registry of what on-demand modules share.
  const shared = [...graph.shared].sort();
  const entry = [
    `import ${JSON.stringify(join(PUBLIC, "main.js"))};`,
    ...shared.map((f, i) => `import * as m${i} from ${JSON.stringify(f)};`),
    `globalThis.${REGISTRY} = {${shared.map((f, i) => `${JSON.stringify(basename(f))}: m${i}`).join(", ")}};`,
  ].join("\n");
  const start = await Bun.build({
    entrypoints: ["lenslet:start"],
    minify: true,
    target: "browser",
    format: "iife",
    plugins: [virtualEntry("lenslet:start", entry), onDemandExternal(graph)],
  });
  if (!start.success) throw new AggregateError(start.logs, "public/main.js does not bundle");
  const bundle = [...vendor(BEFORE), await start.outputs[0]!.text(), ...vendor(AFTER)]
    .map((code) => `${code.trim()}\n;`)
    .join("\n");
  files.set("bundle.js", { body: bundle, type: js });
  files.set("app.min.css", { body: await buildCss(join(PUBLIC, "app.css")), type: css });

  // Each on-demand module, and its stylesheet.
  if (graph.onDemand.size) {
    const later = await Bun.build({
      entrypoints: [...graph.onDemand],
      minify: true,
      target: "browser",
      format: "esm",
      plugins: [sharedFromRegistry(graph), onDemandExternal(graph)],
    });
    if (!later.success) throw new AggregateError(later.logs, "an on-demand module does not bundle");
    for (const out of later.outputs)
      files.set(servedName(out.path), { body: await out.text(), type: js });
    for (const abs of graph.onDemand) {
      const sheet = abs.replace(/\.js$/, ".css");
      if (existsSync(sheet))
        files.set(basename(sheet).replace(/\.css$/, ".min.css"), {
          body: await buildCss(sheet),
          type: css,
        });
    }
  }
  return { files, graph };
}

/** Changes when a file the client is built from changes (for rebuilding while developing). */
export function clientFingerprint(): string {
  const parts: string[] = [];
  for (const dir of [PUBLIC, join(PROJECT, "views")])
    for (const name of readdirSync(dir)) {
      const s = statSync(join(dir, name));
      parts.push(`${name}:${s.mtimeMs}:${s.size}`);
    }
  return parts.join("|");
}
