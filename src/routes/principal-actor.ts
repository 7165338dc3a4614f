/**
 * Who a request is, for the modules that record names (labels' updated_by,
 * presence). With access control on, the name comes from the session or API
 * token the guard resolved, never from a header; off, this returns null and
 * the callers keep reading their headers.
 */
import type { Context } from "hono";
import { type Capability, can, type Role } from "../access/roles.ts";
import type { Principal } from "../access/store.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** Who sent the request; set by src/routes/access-guard.ts only when access control is on. */
    principal: Principal;
  }
}

export interface PrincipalActor {
  name: string;
  /** Stable across sessions of one person (a token's own id for scripts). */
  personId: string;
}

export function principalActor(c: Context): PrincipalActor | null {
  const p = c.get("principal") as Principal | undefined;
  return p ? { name: p.name, personId: p.personId } : null;
}

/** updated_by as stored: "Ana (per_…)": the stable person id beside the name (pages show the name). */
export function updatedByOf(actor: PrincipalActor): string {
  return `${actor.name} (${actor.personId})`;
}

/**
 * May the asker do this? True when access control is off (then the older
 * rules, such as loopback-only writes, decide). For answers like
 * `/health.can_write` that speak for the asker.
 */
export function principalMay(c: Context, capability: Capability): boolean {
  const p = c.get("principal") as Principal | undefined;
  return p === undefined || can(p.role, capability);
}

/** The asker's role when access control is on; undefined when it is off. */
export function principalRole(c: Context): Role | undefined {
  return (c.get("principal") as Principal | undefined)?.role;
}

/** The asker, when access control is on. */
export function principalOf(c: Context): Principal | undefined {
  return c.get("principal") as Principal | undefined;
}
