/**
 * The records access control keeps, as zod schemas (the shape of access.json
 * and of the admin API's answers), and the pure rules about them.
 */
import { z } from "zod";
import { DisplayName } from "../core/identity.ts";
import { GrantableRole, RoleSchema } from "./roles.ts";

export { DisplayName };

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Instant = z.number().int().nonnegative();

export const Invite = z.object({
  id: z.string(),
  hash: Hash,
  /** "owner-link" for the link printed at start; "invite" for links admins make. */
  kind: z.enum(["invite", "owner-link"]),
  role: RoleSchema,
  created_at: Instant,
  /** Person id of whoever made it, or "cli" / "start". */
  created_by: z.string(),
  expires_at: Instant.nullable(),
  /** Uses left; null for unlimited. */
  uses_left: z.number().int().nonnegative().nullable(),
  uses: z.number().int().nonnegative(),
  revoked_at: Instant.nullable(),
  note: z.string().max(200).nullable().default(null),
});
export type Invite = z.infer<typeof Invite>;

export const Session = z.object({
  id: z.string(),
  hash: Hash,
  /** Stable for the person: recorded beside the name in labels and presence. */
  person_id: z.string(),
  name: DisplayName,
  role: RoleSchema,
  created_at: Instant,
  last_seen_at: Instant,
  revoked_at: Instant.nullable(),
  /** How it was made: the invite (or owner link) redeemed. */
  via: z.object({ kind: z.enum(["invite", "owner-link"]), invite_id: z.string() }),
});
export type Session = z.infer<typeof Session>;

export const ApiToken = z.object({
  id: z.string(),
  hash: Hash,
  name: DisplayName,
  role: RoleSchema,
  created_at: Instant,
  created_by: z.string(),
  last_used_at: Instant.nullable(),
  revoked_at: Instant.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const ACCESS_FILE_VERSION = 1;

export const AccessState = z.object({
  version: z.literal(ACCESS_FILE_VERSION),
  /** Names this workspace's session cookie, so two Lenslets on one host never share one. */
  instance_id: z.string(),
  /** Every owner-link session is this one person. */
  owner_person_id: z.string(),
  invites: z.array(Invite),
  sessions: z.array(Session),
  tokens: z.array(ApiToken),
});
export type AccessState = z.infer<typeof AccessState>;

export type InviteRefusal = "revoked" | "expired" | "used_up";

/** Why an invite cannot be redeemed now, or null when it can. */
export function inviteRefusal(inv: Invite, now: number): InviteRefusal | null {
  if (inv.revoked_at !== null) return "revoked";
  if (inv.expires_at !== null && now >= inv.expires_at) return "expired";
  if (inv.uses_left !== null && inv.uses_left <= 0) return "used_up";
  return null;
}

/** Admin API bodies. */
export const CreateInviteBody = z
  .object({
    role: GrantableRole,
    /** Seconds until the link stops working; absent for no expiry. */
    expires_in: z
      .number()
      .int()
      .min(60)
      .max(366 * 86400)
      .optional(),
    uses: z.number().int().min(1).max(100_000).optional(),
    note: z.string().max(200).optional(),
  })
  .strict();
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

export const CreateTokenBody = z.object({ name: DisplayName, role: GrantableRole }).strict();
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

export const RenameBody = z.object({ name: DisplayName }).strict();

/** The invite form's body (form-encoded from the page, or JSON). */
export const JoinBody = z.object({ invite: z.string().min(1).max(256), name: DisplayName });
export const EndSessionsQuery = z.object({
  end_sessions: z.enum(["0", "1", "true", "false"]).optional(),
});

/** What the admin API shows of each record: never a hash. */
export const PublicInvite = Invite.omit({ hash: true });
export const PublicSession = Session.omit({ hash: true });
export const PublicToken = ApiToken.omit({ hash: true });

/** What lists show: never a hash. */
export function publicInvite(i: Invite): z.infer<typeof PublicInvite> {
  const { hash: _h, ...rest } = i;
  return rest;
}
export function publicSession(s: Session): z.infer<typeof PublicSession> {
  const { hash: _h, ...rest } = s;
  return rest;
}
export function publicToken(t: ApiToken): z.infer<typeof PublicToken> {
  const { hash: _h, ...rest } = t;
  return rest;
}

/** `7d`, `12h`, `30m`, `90s` → seconds; null when not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}
