/**
 * Who may do what: four roles in a strict order, and the one table of
 * capabilities → least role. Pure; no HTTP, no disk.
 */
import { z } from "zod";

export const Role = {
  viewer: "viewer",
  rater: "rater",
  admin: "admin",
  owner: "owner",
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export const ROLES: readonly Role[] = [Role.viewer, Role.rater, Role.admin, Role.owner];
export const RoleSchema = z.enum(ROLES as [Role, ...Role[]]);
/** Roles an invite or API token may carry: owner comes only from the owner link. */
export const GrantableRole = z.enum([Role.viewer, Role.rater, Role.admin]);
export type GrantableRole = z.infer<typeof GrantableRole>;

const RANK: Record<Role, number> = { viewer: 0, rater: 1, admin: 2, owner: 3 };

/** True when `role` is `least` or above it. */
export function atLeast(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

/** What a request may do; the route table maps each route to one of these. */
export const Capability = {
  /** Pages, fragments, thumbnails, originals, labels read, the event stream. */
  browse: "browse",
  /** Join, move, leave, heartbeat: being seen in a folder. */
  presence: "presence",
  export: "export",
  /** Stars, tags, notes, metrics. */
  label: "label",
  /** Create, list and revoke invites and API tokens; list and end sessions. */
  manageAccess: "manageAccess",
  /** Presence internals and other operator views. */
  diagnostics: "diagnostics",
} as const;
export type Capability = (typeof Capability)[keyof typeof Capability];

export const PERMISSIONS: Readonly<Record<Capability, Role>> = {
  browse: Role.viewer,
  presence: Role.viewer,
  export: Role.viewer,
  label: Role.rater,
  manageAccess: Role.admin,
  diagnostics: Role.admin,
};

export function can(role: Role, capability: Capability): boolean {
  return atLeast(role, PERMISSIONS[capability]);
}

/** An admin may hand out its own role or less, never more. */
export function mayGrant(granter: Role, role: Role): boolean {
  return role !== Role.owner && atLeast(granter, role) && can(granter, Capability.manageAccess);
}
