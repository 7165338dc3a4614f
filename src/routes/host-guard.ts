/**
 * DNS rebinding guard. A page on `http://evil.example:7070` whose name the
 * attacker re-points at 127.0.0.1 is same-origin with Lenslet as far as the
 * browser cares, so it could read /export and /file. The browser still sends
 * the name it believes in as `Host`, so every request must name this server:
 * a loopback name or address, the address Lenslet listens on (with 0.0.0.0/::,
 * any address of this machine's interfaces), or a name given with
 * `--allowed-host` (`*.example.com` matches its subdomains). The port is not
 * checked: rebinding cannot change it, and a proxy may rewrite it.
 *
 * A request with no Host at all (only HTTP/1.0 may omit it; Bun itself answers
 * 400 to HTTP/1.1 without one) is refused too: every browser, curl and HTTP
 * library sends one, and the routes build URLs from it.
 */
import { networkInterfaces } from "node:os";
import type { Context, MiddlewareHandler } from "hono";
import { jsonError } from "./errors.ts";
import { isLoopbackHost } from "./origin-guard.ts";

export interface HostPolicy {
  /** Exact names or addresses, lower case (from the listen address and --allowed-host). */
  names: ReadonlySet<string>;
  /** `--allowed-host *.example.com` → ".example.com": any name ending with it. */
  suffixes: readonly string[];
  /** True when Lenslet listens on every interface (0.0.0.0 / ::): the machine's addresses count. */
  anyInterface: boolean;
}

export type HostDecision =
  | { ok: true }
  | { ok: false; host: string | null; reason: "missing" | "malformed" | "foreign" };

const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", "[::]", ""]);

/** Lower case, brackets and one trailing dot removed: the form names are compared in. */
export function normalHostName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

/** Is this acceptable as `--allowed-host`? A DNS name, an address, or `*.` before a name. */
export function isAllowedHostPattern(value: string): boolean {
  const v = value.trim();
  if (v.startsWith("*.")) return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(v.slice(2));
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/i.test(v) || /^\[?[0-9a-f:.]+\]?$/i.test(v);
}

export function hostPolicy(listenHost: string, allowedHosts: readonly string[]): HostPolicy {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const listen = normalHostName(listenHost);
  const anyInterface = WILDCARD_ADDRESSES.has(listen);
  if (!anyInterface) names.add(listen);
  for (const raw of allowedHosts) {
    const a = normalHostName(raw);
    if (a.startsWith("*.")) suffixes.push(a.slice(1));
    else names.add(a);
  }
  return { names, suffixes, anyInterface };
}

/** The host name of a `Host` header value, or null when it is not one name with an optional port. */
export function hostNameOf(header: string): string | null {
  const v = header.trim();
  // One authority only: no userinfo, path, list (a repeated header arrives as "a, b") or spaces.
  if (v === "" || /[\s,/?#@\\]/.test(v)) return null;
  let url: URL;
  try {
    url = new URL(`http://${v}`);
  } catch {
    return null;
  }
  return normalHostName(url.hostname);
}

/**
 * The decision for one request. `interfaceAddresses` is asked only when the
 * name is not otherwise allowed and Lenslet listens on every interface.
 */
export function hostDecision(
  hostHeader: string | null | undefined,
  policy: HostPolicy,
  interfaceAddresses: () => ReadonlySet<string>,
): HostDecision {
  if (hostHeader === null || hostHeader === undefined || hostHeader.trim() === "") {
    return { ok: false, host: null, reason: "missing" };
  }
  const name = hostNameOf(hostHeader);
  if (name === null) return { ok: false, host: hostHeader.slice(0, 200), reason: "malformed" };
  if (isLoopbackHost(name) || policy.names.has(name)) return { ok: true };
  if (policy.suffixes.some((s) => name.endsWith(s) && name.length > s.length)) return { ok: true };
  if (policy.anyInterface && interfaceAddresses().has(name)) return { ok: true };
  return { ok: false, host: name, reason: "foreign" };
}

/** This machine's interface addresses (lower case, IPv6 without zone), re-read at most every few seconds. */
export function machineAddresses(refreshMs = 5000): () => ReadonlySet<string> {
  let cached: Set<string> | null = null;
  let readAt = 0;
  return () => {
    const now = Date.now();
    if (cached === null || now - readAt > refreshMs) {
      cached = new Set();
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) cached.add(normalHostName(a.address.replace(/%.*$/, "")));
      }
      readAt = now;
    }
    return cached;
  };
}

export function hostRefusalMessage(d: Exclude<HostDecision, { ok: true }>): string {
  if (d.reason === "missing") {
    return "this request has no Host header; Lenslet answers only requests that name it (HTTP/1.1 sends one)";
  }
  if (d.reason === "malformed") {
    return `the Host header ${JSON.stringify(d.host)} is not one host name; Lenslet answers only requests addressed to it`;
  }
  return `Lenslet does not answer requests addressed to ${JSON.stringify(d.host)} (a page on another site may have pointed that name at this machine). If this is really how you reach Lenslet, start Lenslet with --allowed-host ${d.host}`;
}

export function hostGuard(opts: {
  host: string;
  allowedHosts: readonly string[];
  interfaceAddresses?: () => ReadonlySet<string>;
}): MiddlewareHandler {
  const policy = hostPolicy(opts.host, opts.allowedHosts);
  const addresses = opts.interfaceAddresses ?? machineAddresses();
  return async (c, next) => {
    const d = hostDecision(
      c.req.raw.headers.get("host") ?? hostOfUrl(c.req.url),
      policy,
      addresses,
    );
    if (d.ok) return next();
    return refuse(c, hostRefusalMessage(d));
  };
}

/** app.request() in tests builds requests without a Host header: their URL names the host. */
function hostOfUrl(url: string): string | null {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

function refuse(c: Context, message: string): Response {
  const accept = c.req.header("Accept") ?? "";
  // A person who typed the name into the address bar gets a readable page saying the same.
  if (c.req.method === "GET" && accept.includes("text/html")) {
    const text = message.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
    return c.html(
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host not allowed · Lenslet</title></head><body><h1>Host not allowed</h1><p>${text}</p></body></html>`,
      403,
    );
  }
  return jsonError(c, 403, "host_not_allowed", message);
}
