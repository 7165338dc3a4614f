/** Getting credentials from a real Lenslet with `access: "token"`, the way a browser or script does. */
import type { Role } from "../../src/access/roles.ts";
import type { TestLenslet } from "../helpers/lenslet.ts";

/** `name=value` of the session cookie a response sets. */
export function cookieFrom(res: Response): string {
  const set = res.headers.get("set-cookie");
  if (!set) throw new Error(`no Set-Cookie (status ${res.status})`);
  return set.split(";")[0];
}

export interface Caller {
  role: Role | "none";
  /** Headers for a request; `write` adds the Origin a page of this server sends. */
  headers(write: boolean): Record<string, string>;
}

/** Opens the owner link (as the browser does) and returns the owner's cookie. */
export async function ownerCookie(t: TestLenslet): Promise<string> {
  if (!t.ownerLink) throw new Error("access control is off");
  const res = await fetch(t.ownerLink, { redirect: "manual" });
  if (res.status !== 303) throw new Error(`owner link answered ${res.status}`);
  return cookieFrom(res);
}

export function cookieCaller(t: TestLenslet, role: Role, cookie: string): Caller {
  return {
    role,
    headers: (write): Record<string, string> =>
      write ? { Cookie: cookie, Origin: t.url } : { Cookie: cookie },
  };
}

export function bearerCaller(role: Role, token: string): Caller {
  return { role, headers: () => ({ Authorization: `Bearer ${token}` }) };
}

export const nobody: Caller = { role: "none", headers: () => ({}) };

/** Creates an invite as `admin` and redeems it under `name`, as the invite page's form does. */
export async function join(
  t: TestLenslet,
  admin: string,
  role: Exclude<Role, "owner">,
  name: string,
): Promise<{ cookie: string; sessionId: string; inviteLink: string }> {
  const made = await fetch(`${t.url}/access/invites`, {
    method: "POST",
    headers: { Cookie: admin, Origin: t.url, "Content-Type": "application/json" },
    body: JSON.stringify({ role }),
  });
  if (made.status !== 201) throw new Error(`invite: ${made.status} ${await made.text()}`);
  const { link } = (await made.json()) as { link: string };
  const invite = new URL(link).searchParams.get("invite") as string;
  const res = await fetch(`${t.url}/access/join`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: t.url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ invite, name }),
  });
  if (res.status !== 303) throw new Error(`join: ${res.status} ${await res.text()}`);
  const cookie = cookieFrom(res);
  const me = (await (
    await fetch(`${t.url}/access/me`, { headers: { Cookie: cookie } })
  ).json()) as {
    principal: { id: string };
  };
  return { cookie, sessionId: me.principal.id, inviteLink: link };
}

export async function apiToken(
  t: TestLenslet,
  admin: string,
  role: Exclude<Role, "owner">,
  name = `${role} script`,
): Promise<{ secret: string; id: string }> {
  const res = await fetch(`${t.url}/access/tokens`, {
    method: "POST",
    headers: { Cookie: admin, Origin: t.url, "Content-Type": "application/json" },
    body: JSON.stringify({ name, role }),
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { secret: string; token: { id: string } };
  return { secret: body.secret, id: body.token.id };
}
