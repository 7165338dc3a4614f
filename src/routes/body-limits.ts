/**
 * How many bytes of request body each route may send, in one table, enforced
 * by one middleware that every request passes (mounted in src/app.ts) before
 * any route reads its body. `hono/body-limit` refuses a larger Content-Length
 * without reading a byte, and counts a streamed (chunked) body as it arrives,
 * stopping at the limit, so no route ever buffers more than its own limit.
 * A route not in the table takes no body at all.
 *
 * Per-route limits bound one request; many at once could still add up (16
 * streamed batches of 32 MiB is half a gigabyte), so all bodies being read at
 * the same time share one budget: a body reserves its Content-Length (a
 * streamed one, its route's limit) until its handler has answered, and a
 * request that does not fit gets 503 with Retry-After before a byte is read.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { jsonError } from "./errors.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

interface BodyLimit {
  bytes: number;
  /** Why this many: what the largest valid body of the route needs. */
  why: string;
}

const SINGLE_PATCH: BodyLimit = {
  bytes: 1 * MiB,
  why: "every field at its maximum with every character JSON-escaped is 226 KB",
};
const PRESENCE: BodyLimit = { bytes: 4 * KiB, why: "a few ids and a display name" };
const ACCESS: BodyLimit = { bytes: 4 * KiB, why: "a role, a name, an invite credential" };

/** `"METHOD /path"` → limit. Keep in step with the routes (test/routes/body-limits.test.ts checks). */
export const BODY_LIMITS: Readonly<Record<string, BodyLimit>> = {
  "PATCH /item": SINGLE_PATCH,
  "PUT /item": SINGLE_PATCH,
  "POST /items/patch": {
    bytes: 32 * MiB,
    why: "1,000 patches each setting a full 20,000-character note and 64 full-length tags is 28.5 MB",
  },
  "POST /export": {
    bytes: 64 * MiB,
    why: "a selection of 1,000,000 paths (the schema's maximum) of about 60 characters each",
  },
  "POST /conflict": {
    bytes: 1 * MiB,
    why: "a full 20,000-character note, or 64 full-length tags, every character JSON-escaped",
  },
  "POST /inspector/many": {
    bytes: 64 * MiB,
    why: "a selection of 1,000,000 paths (the schema's maximum) of about 60 characters each",
  },
  "POST /export/xmp": {
    bytes: 64 * MiB,
    why: "the same selection as POST /export",
  },
  "POST /presence/join": PRESENCE,
  "POST /presence/move": PRESENCE,
  "POST /presence/leave": PRESENCE,
  "POST /presence": PRESENCE,
  "PATCH /access/me": ACCESS,
  "POST /access/logout": ACCESS,
  "POST /access/join": ACCESS,
  "POST /access/invites": ACCESS,
  "POST /access/tokens": ACCESS,
};

/** Bytes of request bodies that may be held at once, across all requests. */
export const DEFAULT_BODY_BUDGET = 128 * MiB;

/** A byte semaphore: what the bodies being read right now may hold together. */
export class BodyBudget {
  private used = 0;
  constructor(readonly bytes: number) {}
  get inUse(): number {
    return this.used;
  }
  tryReserve(n: number): boolean {
    if (this.used + n > this.bytes) return false;
    this.used += n;
    return true;
  }
  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** The body limit of a route; 0 for routes that take no body. */
export function bodyLimitFor(method: string, path: string): number {
  return BODY_LIMITS[`${method.toUpperCase()} ${path}`]?.bytes ?? 0;
}

function describe(bytes: number): string {
  if (bytes >= MiB) return `${bytes / MiB} MiB`;
  if (bytes >= KiB) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}

function tooLarge(c: Context, limit: number): Response {
  const route = `${c.req.method} ${c.req.path}`;
  const message =
    limit === 0
      ? `${route} takes no request body`
      : `the body of ${route} is limited to ${describe(limit)} (${limit} bytes)${c.req.path === "/items/patch" ? "; send the patches in smaller batches" : ""}`;
  // The unread rest of the body is not wanted: do not keep the connection for it.
  c.header("Connection", "close");
  return jsonError(c, 413, "payload_too_large", message, { limit_bytes: limit });
}

/** What a body will hold at most: its declared length, or for a streamed one its route's limit. */
function declaredBytes(req: Request, limit: number): number {
  const length = req.headers.get("content-length");
  if (length !== null && !req.headers.has("transfer-encoding")) {
    const n = Number.parseInt(length, 10);
    if (Number.isFinite(n) && n >= 0) return Math.min(n, limit);
  }
  return limit;
}

export function bodyLimits(budget = new BodyBudget(DEFAULT_BODY_BUDGET)): MiddlewareHandler {
  const byRoute = new Map<string, { bytes: number; check: MiddlewareHandler }>();
  const limiter = (bytes: number) => ({
    bytes,
    check: bodyLimit({ maxSize: bytes, onError: (c) => tooLarge(c, bytes) }),
  });
  for (const [route, { bytes }] of Object.entries(BODY_LIMITS)) byRoute.set(route, limiter(bytes));
  const none = limiter(0);
  return async (c, next) => {
    const { bytes, check } = byRoute.get(`${c.req.method} ${c.req.path}`) ?? none;
    if (!c.req.raw.body || bytes === 0) return check(c, next);
    const held = declaredBytes(c.req.raw, bytes);
    if (!budget.tryReserve(held)) {
      c.header("Retry-After", "1");
      c.header("Connection", "close");
      return jsonError(
        c,
        503,
        "server_busy",
        "the server is reading as many request bodies as it holds at once; retry in a second",
      );
    }
    try {
      return await check(c, next);
    } finally {
      budget.release(held);
    }
  };
}
