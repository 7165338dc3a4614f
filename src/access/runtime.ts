/** What the HTTP side of access control needs, built once per server (src/server.ts). */
import { FailureLimiter } from "./rate-limit.ts";
import type { AccessStore } from "./store.ts";

export interface AccessRuntime {
  store: AccessStore;
  limiter: FailureLimiter;
  /** Session cookies get `Secure` (served over TLS). */
  secureCookies: boolean;
}

export function accessRuntime(
  store: AccessStore,
  opts: { secureCookies: boolean; limiter?: FailureLimiter },
): AccessRuntime {
  return {
    store,
    limiter: opts.limiter ?? new FailureLimiter(),
    secureCookies: opts.secureCookies,
  };
}

/** One cookie name per workspace: two Lenslets on one host (any port) never overwrite each other's. */
export function sessionCookieName(store: AccessStore): string {
  return `lenslet_${store.instanceId}`;
}
