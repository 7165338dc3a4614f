/**
 * The trusted-local rule for writes: a request that changes labels must come
 * from this machine. A browser page on another site (or on another host of
 * the LAN) sends its Origin; a script sends none. So a write is accepted when
 * its Origin (or, without one, its Referer) is absent or a loopback origin on
 * this server's port, and when the peer address is loopback (if known).
 * `--allow-remote-writes` lifts the rule. Safe methods pass untouched.
 */
import type { MiddlewareHandler } from "hono";
import { isLoopbackHost } from "../core/loopback.ts";
import { jsonError } from "./errors.ts";

export { isLoopbackHost };

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function portOf(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

interface PeerEnv {
  server?: { requestIP?(req: Request): { address: string } | null };
}

/** The peer address Bun saw for this request, when there is a Bun server (not in app.request()). */
export function peerAddress(req: Request, env: unknown): string | undefined {
  return (env as PeerEnv | undefined)?.server?.requestIP?.(req)?.address;
}

/**
 * Why a write is refused, or null when it may proceed. `checkPeer` false skips
 * the peer address (a server bound to loopback only has loopback peers).
 */
export function writeRefusal(req: Request, env: unknown, checkPeer = true): string | null {
  return refusalFor({
    peer: checkPeer ? peerAddress(req, env) : undefined,
    claimedOrigin: req.headers.get("origin") ?? req.headers.get("referer"),
    selfUrl: req.url,
  });
}

/** The rule itself, on plain values: who sends (peer), from which page (Origin/Referer), to which URL. */
export function refusalFor(w: {
  peer: string | undefined;
  claimedOrigin: string | null;
  selfUrl: string;
}): string | null {
  const { peer, claimedOrigin: claimed } = w;
  if (peer && !isLoopbackHost(peer)) {
    return `writes are only accepted from this machine (request from ${peer}); start Lenslet with --allow-remote-writes to accept them from the network`;
  }
  if (claimed === null || claimed === "") return null;
  let from: URL;
  try {
    from = new URL(claimed);
  } catch {
    return `writes need a local origin (got ${JSON.stringify(claimed.slice(0, 100))})`;
  }
  const self = new URL(w.selfUrl);
  if (!isLoopbackHost(from.hostname) || portOf(from) !== portOf(self)) {
    return `writes are only accepted from pages served by this Lenslet on this machine (origin ${from.origin}); start Lenslet with --allow-remote-writes to accept them from other hosts`;
  }
  return null;
}

export function originGuard(opts: {
  allowRemoteWrites: boolean;
  host?: string;
}): MiddlewareHandler {
  const checkPeer = opts.host === undefined || !isLoopbackHost(opts.host);
  return async (c, next) => {
    if (!opts.allowRemoteWrites && !SAFE.has(c.req.method)) {
      const refusal = writeRefusal(c.req.raw, c.env, checkPeer);
      if (refusal) return jsonError(c, 403, "local_origin_required", refusal);
    }
    await next();
  };
}
