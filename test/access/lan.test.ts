/**
 * Two machines: the real server process listening on 0.0.0.0 (access control on by default there), and
 * a second "machine" in a network namespace (test/helpers/netns.ts) whose requests come from a real
 * non-loopback address. Without a credential it gets 401; the owner link printed for the LAN address
 * works from there (the Host check allows it), and so do an invite-made session cookie and a bearer token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { makeRemoteHost, type RemoteHost } from "../helpers/netns.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let remote: RemoteHost;
let server: ServerProcess;
let lan: string;

beforeAll(async () => {
  root = tempDir("lenslet-lan-");
  await writeTree(root, { "a.jpg": {}, "sub/b.jpg": {} });
  // Before the server starts, so the addresses it prints include the link to the namespace.
  remote = makeRemoteHost();
  server = await startServerProcess([root, "--host", "0.0.0.0", "--port", "0"]);
  lan = `http://${remote.hostAddr}:${new URL(server.url).port}`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  remote?.dispose();
  removeDir(root);
});

const cookieOf = (setCookie: string | undefined) => (setCookie ?? "").split(";")[0] as string;
const json = (extra: Record<string, string> = {}) => ({
  "Content-Type": "application/json",
  ...extra,
});

test("A1 A2 A5 A8 A9 on 0.0.0.0: a second machine needs a link; the printed LAN owner link, an invite's cookie and a bearer token work from there", async () => {
  const out = server.output();
  expect(out).toContain("Access control is on (--access token)");
  const printed = new RegExp(`(${lan.replace(/\./g, "\\.")}/\\?token=\\S+)`).exec(out)?.[1];
  expect(printed).toBeDefined();

  // No credential: 401, JSON for the API, a page that says how to get in for pages; the probe answers.
  const bare = await remote.request(`${lan}/item?path=/a.jpg`);
  expect(bare.status).toBe(401);
  expect(JSON.parse(bare.body)).toMatchObject({ error: "auth_required" });
  const page = await remote.request(`${lan}/`);
  expect(page.status).toBe(401);
  expect(page.body).toContain("ask the person who runs Lenslet for a link");
  expect(JSON.parse((await remote.request(`${lan}/health/live`)).body)).toEqual({ ok: true });
  // A name that is not this machine's is refused before anything else (DNS rebinding).
  const foreign = await remote.request(`${lan}/health/live`, { headers: { Host: "evil.example" } });
  expect(foreign.status).toBe(403);
  expect(JSON.parse(foreign.body)).toMatchObject({ error: "host_not_allowed" });

  // The owner link printed for the LAN address, opened from the other machine.
  const opened = await remote.request(printed as string);
  expect(opened.status).toBe(303);
  expect(opened.headers.location).toBe("/");
  const owner = cookieOf(opened.headers["set-cookie"]);
  expect(owner).toMatch(/^lenslet_/);

  // The owner invites a rater; the rater (another browser there) opens the link and picks a name.
  const made = await remote.request(`${lan}/access/invites`, {
    method: "POST",
    headers: json({ Cookie: owner, Origin: lan }),
    body: JSON.stringify({ role: "rater" }),
  });
  expect(made.status).toBe(201);
  const link = JSON.parse(made.body).link as string;
  expect(link.startsWith(`${lan}/?invite=`)).toBe(true);
  expect((await remote.request(link)).body).toContain('name="name"');
  const invite = new URL(link).searchParams.get("invite") as string;
  const joined = await remote.request(`${lan}/access/join`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: lan },
    body: new URLSearchParams({ invite, name: "Remote Rita" }).toString(),
  });
  expect(joined.status).toBe(303);
  const rater = cookieOf(joined.headers["set-cookie"]);

  // Tag additions need no base version (they merge): each write here stands alone.
  const patch = (headers: Record<string, string>, tag: string) =>
    remote.request(`${lan}/item?path=/a.jpg`, {
      method: "PATCH",
      headers: json({ "Idempotency-Key": crypto.randomUUID(), ...headers }),
      body: JSON.stringify({ add_tags: [tag] }),
    });
  const byCookie = await patch({ Cookie: rater, Origin: lan }, "keep");
  expect(byCookie.status).toBe(200);
  expect(JSON.parse(byCookie.body).updated_by).toMatch(/^Remote Rita \(per_/);
  // A cookie write that does not come from Lenslet's own page is refused (A9).
  expect((await patch({ Cookie: rater }, "forged")).status).toBe(403);
  const health = JSON.parse(
    (await remote.request(`${lan}/health`, { headers: { Cookie: rater } })).body,
  );
  expect(health.can_write).toBe(true);

  // A script on that machine: an API token, no Origin needed.
  const tok = await remote.request(`${lan}/access/tokens`, {
    method: "POST",
    headers: json({ Cookie: owner, Origin: lan }),
    body: JSON.stringify({ name: "remote scores", role: "rater" }),
  });
  const secret = JSON.parse(tok.body).secret as string;
  const byToken = await patch({ Authorization: `Bearer ${secret}` }, "scored");
  expect(byToken.status).toBe(200);
  expect(JSON.parse(byToken.body).updated_by).toMatch(/^remote scores \(tok_/);
  expect((await patch({ Authorization: "Bearer tok_x.nope" }, "nope")).status).toBe(401);
}, 60_000);
