/**
 * Wire shapes of the presence routes. Gallery ids are canonicalised here, so
 * `/a/`, `a` and `/a//` name one scope everywhere after validation.
 */
import { z } from "zod";
import { ClientId, DisplayName, PersonId } from "../core/identity.ts";
import { tryCanonicalPath } from "../core/paths.ts";

export { ClientId, DisplayName, PersonId };
export const LeaseId = z.string().min(1).max(128);

export const GalleryId = z
  .string()
  .min(1)
  .transform((raw, ctx) => {
    const canonical = tryCanonicalPath(raw);
    if (canonical === null) {
      ctx.addIssue({ code: "custom", message: "not a valid folder path" });
      return z.NEVER;
    }
    return canonical;
  });

export const JoinBody = z.object({
  gallery_id: GalleryId,
  client_id: ClientId,
  name: DisplayName.optional(),
  /** The lease from an earlier join of this tab: lets a reload or reconnect reclaim its session. */
  lease_id: LeaseId.optional(),
  /** The person this tab belongs to; without it the session counts as a person of its own. */
  person_id: PersonId.optional(),
});
export type JoinBody = z.infer<typeof JoinBody>;

export const MoveBody = z.object({
  from_gallery_id: GalleryId,
  to_gallery_id: GalleryId,
  client_id: ClientId,
  lease_id: LeaseId,
});
export type MoveBody = z.infer<typeof MoveBody>;

export const LeaveBody = z.object({
  gallery_id: GalleryId,
  client_id: ClientId,
  lease_id: LeaseId,
});
export type LeaveBody = z.infer<typeof LeaveBody>;

export const HeartbeatBody = z.object({
  gallery_id: GalleryId,
  client_id: ClientId,
  name: DisplayName.optional(),
  person_id: PersonId.optional(),
});
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;

export const CountsQuery = z.object({ gallery_id: GalleryId });
