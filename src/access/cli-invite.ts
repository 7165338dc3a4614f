/**
 * `lenslet DIR --invite ROLE [--expires 7d] [--uses 5]`: print an invite link.
 * access.json has one writer at a time, like the labels: when a Lenslet serves
 * the workspace, it makes the invite (admin API, authenticated with the key in
 * access.key); when none does, this command takes the workspace lock and
 * writes access.json itself, and the link works once Lenslet serves DIR.
 */
import { acquireWorkspaceLock } from "../workspace/lock.ts";
import { accessFile } from "./access-file.ts";
import { readLocalKey } from "./local-key.ts";
import type { CreateInviteBody } from "./records.ts";
import { AccessStore } from "./store.ts";

export interface CliInviteInput {
  workspace: string;
  invite: CreateInviteBody;
  /** Base URL for a link made while no server runs (from --host/--port, TLS or not). */
  baseUrl: string;
}

export type CliInviteResult =
  | { ok: true; link: string; via: "server" | "file" }
  | { ok: false; message: string };

export async function cliInvite(input: CliInviteInput): Promise<CliInviteResult> {
  const lock = acquireWorkspaceLock(input.workspace);
  if (lock.ok) {
    try {
      const store = new AccessStore({ persistence: accessFile(input.workspace) });
      const { credential } = store.createInvite("cli", input.invite);
      return { ok: true, via: "file", link: `${input.baseUrl}/?invite=${credential}` };
    } finally {
      lock.release();
    }
  }
  const local = readLocalKey(input.workspace);
  if (!local) {
    return {
      ok: false,
      message: `${lock.message}; it runs without access control (no access.key), so it takes no invites: restart it with --access token`,
    };
  }
  let res: Response;
  try {
    res = await fetch(`${local.url}/access/invites`, {
      method: "POST",
      headers: { Authorization: `Bearer ${local.key}`, "Content-Type": "application/json" },
      body: JSON.stringify(input.invite),
      // Our own server on this machine, whose certificate may be self-signed; the URL comes from our workspace.
      tls: { rejectUnauthorized: false },
    });
  } catch (err) {
    return {
      ok: false,
      message: `cannot reach the Lenslet serving this workspace at ${local.url}: ${(err as Error).message}`,
    };
  }
  const body = (await res.json().catch(() => ({}))) as { link?: string; message?: string };
  if (res.status !== 201 || !body.link) {
    return {
      ok: false,
      message: `the running Lenslet refused: ${res.status} ${body.message ?? ""}`,
    };
  }
  return { ok: true, via: "server", link: body.link };
}
