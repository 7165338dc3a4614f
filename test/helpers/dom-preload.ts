/**
 * Every `bun test` runs with happy-dom's globals (bunfig.toml `[test] preload`), so client modules from
 * public/ are tested as they run in a page: `document`, `window`, `localStorage`, `CustomEvent`, …
 *
 * happy-dom also replaces the web-platform classes Bun's own server and client are built on; `Bun.serve`
 * then rejects the app's answers ("Expected a Response object") and tests' fetches go through happy-dom.
 * So Bun's versions are saved first and put back (docs: /work/shared/notes/stack.md, "bun test with
 * happy-dom"), and `fetch` resolves relative URLs against `location` as a browser does (htmx and our client
 * fetch "/grid/page?…"; Bun's fetch refuses a relative URL).
 */
import { GlobalRegistrator } from "@happy-dom/global-registrator";

const KEEP_BUNS = [
  "fetch",
  "Request",
  "Response",
  "Headers",
  "URL",
  "URLSearchParams",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
  "TextEncoder",
  "TextDecoder",
  "AbortController",
  "AbortSignal",
  "DOMException",
  "Blob",
  "File",
  "FormData",
  "WebSocket",
  "BroadcastChannel",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "queueMicrotask",
  "structuredClone",
  "performance",
  "crypto",
  "atob",
  "btoa",
] as const;

const g = globalThis as unknown as Record<string, unknown>;
const buns = new Map(KEEP_BUNS.filter((k) => k in g).map((k) => [k, g[k]]));
// Bun's os.availableParallelism() reads navigator.hardwareConcurrency, which happy-dom's navigator says
// is 8: the server code under test (thumbnail jobs, demo generation) would size its pools for 8 cores.
const cores = navigator.hardwareConcurrency;

GlobalRegistrator.register({ url: "http://localhost/", width: 1280, height: 800 });
Object.defineProperty(navigator, "hardwareConcurrency", { value: cores, configurable: true });

for (const [k, v] of buns) {
  Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true });
}
const bunFetch = buns.get("fetch") as typeof fetch;
const relative = (input: string) =>
  new URL(input, (globalThis as { location?: Location }).location?.href);
g.fetch = Object.assign(
  (input: string | URL | Request, init?: RequestInit) =>
    bunFetch(
      typeof input === "string" && !/^[a-z][a-z0-9+.-]*:/i.test(input) ? relative(input) : input,
      init,
    ),
  { preconnect: (bunFetch as { preconnect?: unknown }).preconnect },
);
