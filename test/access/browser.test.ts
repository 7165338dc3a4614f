/**
 * Access control as people meet it, in real Chromium against the real server
 * process with `--access token`: the owner link leaves the address bar, the
 * page saves under the owner's name, a viewer joins through the name form and
 * the server refuses its writes, and revoking it takes effect at once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let server: ServerProcess;
let owner: BrowserSession;
let viewer: BrowserSession;

beforeAll(async () => {
  root = tempDir("lenslet-access-browser-");
  await writeTree(root, { "a/one.jpg": {}, "a/two.jpg": {} });
  server = await startServerProcess([root, "--port", "0", "--access", "token"]);
  owner = await openBrowser();
  viewer = await openBrowser();
}, 60_000);

afterAll(async () => {
  await owner?.close();
  await viewer?.close();
  await server?.stop();
  removeDir(root);
});

test("A2 A5 A7 A9 A12: owner link, a save under the owner's name, a viewer refused, revoked at once", async () => {
  const link = /(http:\/\/\S+\/\?token=\S+)/.exec(server.output())?.[1] as string;
  const ownerLink = new URL(link);
  ownerLink.searchParams.set("folder", "/a");
  ownerLink.searchParams.set("sel", "/a/one.jpg");
  const { page } = owner;
  await page.goto(ownerLink.toString());
  await page.waitForSelector('#inspector-body[data-path="/a/one.jpg"]');
  expect(page.url()).not.toContain("token");
  expect(await page.evaluate(() => location.search)).toBe("?folder=%2Fa&sel=%2Fa%2Fone.jpg");

  // The page's own write (cookie + its Origin) is accepted and recorded under the session's name.
  await page.click('#inspector-body .star[data-value="4"]');
  await page.waitForSelector(".status .save-status.saved");
  const cookie = (await owner.context.cookies()).find((c) => c.name.startsWith("lenslet_"));
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  const auth = { Cookie: `${cookie?.name}=${cookie?.value}` };
  const item = await (await fetch(`${server.url}/item?path=/a/one.jpg`, { headers: auth })).json();
  expect(item.star).toBe(4);
  expect(item.updated_by).toMatch(/^Owner \(per_/);

  // A viewer joins through an invite and the name form.
  const made = await page.evaluate(async () => {
    const r = await fetch("/access/invites", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ role: "viewer" }),
    });
    return (await r.json()) as { link: string };
  });
  const v = viewer.page;
  await v.goto(made.link);
  await v.fill('input[name="name"]', "Vera");
  await v.click('button[type="submit"]');
  await v.waitForURL((u) => u.pathname === "/" && !u.search.includes("invite"));
  await v.goto(`${new URL(made.link).origin}/?folder=/a`);
  await v.waitForSelector(".card");
  expect(v.url()).not.toContain("invite");

  // The viewer's write is refused by the server, whatever the page does.
  const status = await v.evaluate(async () => {
    const r = await fetch("/item?path=/a/two.jpg", {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ add_tags: ["nope"] }),
    });
    return [r.status, (await r.json()).error];
  });
  expect(status).toEqual([403, "forbidden"]);

  // The owner ends Vera's session: her next request is 401 and her stream is dropped.
  const sessions = await page.evaluate(async () => (await fetch("/access/sessions")).json());
  const vera = sessions.sessions.find((s: { name: string }) => s.name === "Vera");
  const before = (await (await fetch(`${server.url}/health`, { headers: auth })).json()).events
    .connected;
  await page.evaluate(
    async (id) => fetch(`/access/sessions/${id}`, { method: "DELETE" }),
    vera.id as string,
  );
  const after = await v.evaluate(async () => (await fetch("/item?path=/a/two.jpg")).status);
  expect(after).toBe(401);
  const deadline = Date.now() + 1000;
  let connected = before;
  while (Date.now() < deadline && connected >= before) {
    connected = (await (await fetch(`${server.url}/health`, { headers: auth })).json()).events
      .connected;
  }
  expect(connected).toBeLessThan(before);
}, 60_000);
