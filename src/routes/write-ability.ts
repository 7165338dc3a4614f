/**
 * "Can I write?" answered for the request that asks, not for the workspace:
 * the same trusted-local rule that refuses writes (origin-guard.ts) applied to
 * this request, combined with whether labels persist. /health and the page
 * (banner, edit controls) both read it, so neither says "yes" to someone whose
 * writes will get 403.
 */
import { Capability, can, type Role } from "../access/roles.ts";
import type { Config } from "../config.ts";
import { isLoopbackHost, peerAddress, refusalFor } from "./origin-guard.ts";

export type WriteAbility =
  | { canWrite: true; refusal: null; kind: null }
  /**
   * `refused`: this asker's writes get 403 (another origin or host, a remote peer, or a role that may not
   * label). `memory`: writes are taken but lost at stop (--no-write).
   */
  | { canWrite: false; refusal: string; kind: "refused" | "memory" };

export type WriteAbilityConfig = Pick<
  Config,
  "canWrite" | "allowRemoteWrites" | "host" | "workspaceNotice"
>;

const MEMORY_ONLY =
  "labels are kept in memory only (--no-write or no writable workspace): edits are lost when Lenslet stops";

/**
 * `asker`: "request" judges the request itself (its Origin or Referer, as a
 * write would be judged); "page" judges the writes a page served by this
 * request will send, whose Origin is the URL the page was loaded from
 * (a navigation's Referer names the site linking here, not the page).
 */
export function writeAbility(
  config: WriteAbilityConfig,
  req: Request,
  env: unknown,
  asker: "request" | "page" = "request",
  /** The asker's role when access control is on (the guard's principal); undefined when it is off. */
  role?: Role,
): WriteAbility {
  // Access control on: the role decides first (the guard gives a viewer's write 403 forbidden).
  if (role !== undefined && !can(role, Capability.label)) {
    return { canWrite: false, refusal: roleRefusal(role), kind: "refused" };
  }
  if (!config.allowRemoteWrites) {
    // As originGuard: a server bound to loopback only has loopback peers.
    const peer = isLoopbackHost(config.host) ? undefined : peerAddress(req, env);
    const claimedOrigin =
      asker === "page"
        ? new URL(req.url).origin
        : (req.headers.get("origin") ?? req.headers.get("referer"));
    const refusal = refusalFor({ peer, claimedOrigin, selfUrl: req.url });
    if (refusal) return { canWrite: false, refusal, kind: "refused" };
  }
  if (!config.canWrite) {
    return { canWrite: false, refusal: config.workspaceNotice ?? MEMORY_ONLY, kind: "memory" };
  }
  return { canWrite: true, refusal: null, kind: null };
}

/** What a page or /health says to someone whose role may not label. */
export function roleRefusal(role: Role): string {
  return `you are a ${role} here: you can view and export, not rate`;
}
