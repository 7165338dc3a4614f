/**
 * Who someone is, as the wire carries it: one schema each for a display name,
 * a tab (client) id and a person id, shared by labels (updated_by), presence
 * and access (sessions, tokens), so a name valid in one is valid in all.
 */
import { z } from "zod";

function isControl(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return c < 0x20 || c === 0x7f;
}

/** A person's chosen name: 1–64 characters after trimming, no control characters. */
export const DisplayName = z
  .string()
  .trim()
  .min(1, "a name is required")
  .max(64, "at most 64 characters")
  .refine((s) => ![...s].some(isControl), "no control characters");

/** A tab: short, chosen by the page. */
export const ClientId = z.string().trim().min(1).max(64);

/** One per browser profile (the page keeps it in localStorage), or a session's stable person id. */
export const PersonId = z.string().trim().min(1).max(64);
