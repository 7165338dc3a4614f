/**
 * Who is asking and from where: the one reader of `X-Lenslet-Name`, `X-Lenslet-Client` and `X-Lenslet-Scope`
 * for every route (labels and presence alike).
 *
 * Header values are Latin-1 only in browsers (`fetch` refuses anything else), so the page sends each value
 * percent-encoded UTF-8 (`encodeURIComponent`): `%C5%81ukasz`, `/%E6%9D%B1%E4%BA%AC`. Scripts may also send raw
 * bytes: Bun reads header bytes as Latin-1, so raw UTF-8 (what curl sends for `Łukasz`) is recognised and read as
 * UTF-8, and anything else is taken as Latin-1 (`Zoë`). A malformed escape (`%E6%9D`, a lone `%`) is refused, never
 * guessed at: 400 `validation_error` naming the header.
 */
import type { Context } from "hono";
import { z } from "zod";
import { ClientId, DisplayName, GalleryId } from "../presence/schema.ts";
import { principalActor } from "./principal-actor.ts";

export const ACTOR_HEADERS = {
  name: "X-Lenslet-Name",
  client_id: "X-Lenslet-Client",
  scope: "X-Lenslet-Scope",
} as const;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Raw header text (bytes as Latin-1 code points) → the string the sender meant. */
function rawText(v: string): string {
  // Plain ASCII needs nothing; only code points ≤ 0xFF can be bytes (what Bun gives us always is).
  if (!/[\u0080-\u00ff]/.test(v) || /[\u0100-\uffff]/.test(v)) return v;
  try {
    return utf8.decode(Uint8Array.from(v, (ch) => ch.charCodeAt(0)));
  } catch {
    return v; // not UTF-8: Latin-1 as it came
  }
}

/** A header value, percent-decoded; a malformed escape is a validation issue. */
const HeaderText = z.string().transform((v, ctx) => {
  try {
    return decodeURIComponent(rawText(v));
  } catch {
    ctx.addIssue({
      code: "custom",
      message: "malformed percent-encoding (send encodeURIComponent of the UTF-8 text)",
    });
    return z.NEVER;
  }
});

/** The three headers, decoded then validated by the same schemas as the presence bodies. */
export const ActorHeaders = z.object({
  name: HeaderText.pipe(DisplayName).optional(),
  client_id: HeaderText.pipe(ClientId).optional(),
  scope: HeaderText.pipe(GalleryId).optional(),
});
export type ActorHeaders = z.output<typeof ActorHeaders>;

export type ActorRead =
  | { ok: true; actor: ActorHeaders }
  | { ok: false; field: string; message: string };

/** Reads the actor headers of a request; an absent or empty header is simply absent. */
export function readActorHeaders(header: (name: string) => string | undefined): ActorRead {
  const raw: Record<string, string> = {};
  for (const [key, name] of Object.entries(ACTOR_HEADERS)) {
    const v = header(name);
    if (v !== undefined && v !== "") raw[key] = v;
  }
  const parsed = ActorHeaders.safeParse(raw);
  if (parsed.success) return { ok: true, actor: parsed.data };
  const issue = parsed.error.issues[0];
  const field = ACTOR_HEADERS[issue?.path[0] as keyof typeof ACTOR_HEADERS] ?? ACTOR_HEADERS.name;
  return { ok: false, field, message: `${field}: ${issue?.message ?? "invalid"}` };
}

/** The actor headers of a Hono request. */
export function actorOf(c: Context): ActorRead {
  return readActorHeaders((name) => c.req.header(name));
}

/** Who is asking, all told: the headers, and the session or API token when access control is on. */
export interface Asker {
  name: string | undefined;
  /** The tab (X-Lenslet-Client). */
  clientId: string | undefined;
  /** The folder the asker is viewing (X-Lenslet-Scope). */
  scope: string | undefined;
  /** Stable id of the person: only when `verified`. */
  personId: string | undefined;
  /** True when name and person come from a session or API token (access control on), not from headers. */
  verified: boolean;
}

export type AskerRead = { ok: true; asker: Asker } | { ok: false; field: string; message: string };

/**
 * The one answer to "who and where" for every route. With access control on, the name and person are the
 * principal's (the header's name is ignored, A12); the tab and folder still come from the headers.
 */
export function askerOf(c: Context): AskerRead {
  const read = actorOf(c);
  if (!read.ok) return read;
  const p = principalActor(c);
  return {
    ok: true,
    asker: {
      name: p?.name ?? read.actor.name,
      clientId: read.actor.client_id,
      scope: read.actor.scope,
      personId: p?.personId,
      verified: p !== null,
    },
  };
}
