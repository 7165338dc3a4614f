/**
 * The real `lenslet` process with access control: the owner link it prints,
 * sessions that survive a restart, `--invite` from the command line (with and
 * without a server running), `--reset-access`, the warned alias.
 */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";
import { cookieFrom } from "./helpers.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

async function gallery(): Promise<string> {
  const root = tempDir("lenslet-access-proc-");
  dirs.push(root);
  await writeTree(root, { "a.jpg": {} });
  return root;
}

function ownerLinkIn(output: string): string {
  const links = [...output.matchAll(/(https?:\/\/\S+\/\?token=\S+)/g)].map((m) => m[1]);
  if (links.length === 0) throw new Error(`no owner link in:\n${output}`);
  return links[0];
}

async function runCli(args: string[]) {
  const p = Bun.spawn([process.execPath, "run", MAIN, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, out, err };
}

async function joinWith(link: string, name: string): Promise<string> {
  const u = new URL(link);
  const page = await fetch(link);
  expect(page.status).toBe(200);
  const res = await fetch(`${u.origin}/access/join`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: u.origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ invite: u.searchParams.get("invite") as string, name }),
  });
  expect(res.status).toBe(303);
  return cookieFrom(res);
}

test("A2 A6 A13: owner link printed, sessions survive a restart, --invite with and without a server, --reset-access", async () => {
  const root = await gallery();
  const args = [root, "--access", "token", "-p", "0"];

  // A13 with no server running: the command writes access.json under the lock.
  const offline = await runCli([root, "--invite", "rater", "--uses", "2"]);
  expect(offline.code).toBe(0);
  const offlineLink = /(http:\/\/\S+\?invite=\S+)/.exec(offline.out)?.[1] as string;
  expect(offlineLink).toBeDefined();
  expect(fs.existsSync(join(root, ".lenslet", "lenslet.lock"))).toBe(false);

  let server = await startServerProcess(args);
  const link1 = ownerLinkIn(server.output());
  expect(link1.startsWith(`${server.url}/?token=`)).toBe(true);
  const owner = cookieFrom(await fetch(link1, { redirect: "manual" }));
  // The invite made while no server ran works on this one (same workspace, any port).
  const offlineInvite = new URL(offlineLink).searchParams.get("invite") as string;
  const ana = await joinWith(`${server.url}/?invite=${offlineInvite}`, "Ana");

  // A13 while the server runs: the server makes the invite (its admin API, via access.key).
  const online = await runCli([root, "--invite", "viewer", "--expires", "1h"]);
  expect(online.err).toBe("");
  expect(online.code).toBe(0);
  const onlineLink = /(http:\/\/\S+\?invite=\S+)/.exec(online.out)?.[1] as string;
  expect(onlineLink.startsWith(`${server.url}/?invite=`)).toBe(true);
  const bo = await joinWith(onlineLink, "Bo");
  const invites = await (
    await fetch(`${server.url}/access/invites`, { headers: { Cookie: owner } })
  ).json();
  // Made by the server on behalf of the command line's key (an owner-role API token).
  const made = invites.invites.find((i: { role: string }) => i.role === "viewer");
  expect(made.created_by).toStartWith("tok_");
  expect(invites.invites.find((i: { role: string }) => i.role === "rater").created_by).toBe("cli");

  await server.stop();
  expect(fs.existsSync(join(root, ".lenslet", "access.key"))).toBe(false);
  server = await startServerProcess(args);
  // A6: sessions survive; A2: a new owner link, the old one revoked.
  for (const [cookie, name, role] of [
    [owner, "Owner", "owner"],
    [ana, "Ana", "rater"],
    [bo, "Bo", "viewer"],
  ]) {
    const me = await fetch(`${server.url}/access/me`, { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).principal).toMatchObject({ name, role });
  }
  const link2 = ownerLinkIn(server.output());
  expect(new URL(link2).searchParams.get("token")).not.toBe(
    new URL(link1).searchParams.get("token"),
  );
  const oldLink = new URL(link1);
  oldLink.port = new URL(server.url).port;
  expect((await fetch(oldLink, { redirect: "manual" })).status).toBe(401);
  await server.stop();

  // A6: --reset-access ends everything.
  server = await startServerProcess([...args, "--reset-access"]);
  try {
    for (const cookie of [owner, ana, bo]) {
      const me = await fetch(`${server.url}/access/me`, { headers: { Cookie: cookie } });
      expect(me.status).toBe(401);
    }
    expect((await fetch(ownerLinkIn(server.output()), { redirect: "manual" })).status).toBe(303);
  } finally {
    await server.stop();
  }
}, 120_000);

test("A1: --allow-remote-writes still works, as --access open, with a warning", async () => {
  const root = await gallery();
  const server = await startServerProcess([root, "-p", "0", "--allow-remote-writes"]);
  try {
    expect(server.output()).toContain("--allow-remote-writes is now --access open");
    expect(server.output()).toContain("ANYONE who can reach");
    expect(server.output()).not.toContain("?token=");
    expect((await fetch(`${server.url}/item?path=/a.jpg`)).status).toBe(200);
  } finally {
    await server.stop();
  }
}, 60_000);

test("A1: a non-loopback host turns access control on by default", async () => {
  const root = await gallery();
  const server = await startServerProcess([root, "-p", "0", "-H", "0.0.0.0"]);
  try {
    expect(server.output()).toContain("Access control is on");
    expect((await fetch(`${server.url}/item?path=/a.jpg`)).status).toBe(401);
    expect((await fetch(ownerLinkIn(server.output()), { redirect: "manual" })).status).toBe(303);
  } finally {
    await server.stop();
  }
}, 60_000);
