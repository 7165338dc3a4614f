/**
 * A team in three real Chromium profiles against the real server process (`--access token`): the owner
 * opens the printed link and, from the Share dialog, invites a rater and a viewer; each acts in their
 * role (the rater rates, the viewer sees no edit controls and its keys and its own fetch do not write);
 * the people list names everyone with role and folder and takes the owner there; a rename shows live;
 * the owner ends the rater's session from the dialog and the rater's page says so within a second, its
 * stream closed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let server: ServerProcess;
let owner: BrowserSession;
let rater: BrowserSession;
let viewer: BrowserSession;
let ownerAuth: Record<string, string>;

beforeAll(async () => {
  root = tempDir("lenslet-team-browser-");
  await writeTree(root, { "a/one.jpg": {}, "a/two.jpg": {}, "b/three.jpg": {} });
  server = await startServerProcess([root, "--port", "0", "--access", "token"]);
  [owner, rater, viewer] = await Promise.all([openBrowser(), openBrowser(), openBrowser()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([owner?.close(), rater?.close(), viewer?.close()]);
  await server?.stop();
  removeDir(root);
});

async function health(): Promise<{ events: { connected: number } }> {
  return (await fetch(`${server.url}/health`, { headers: ownerAuth })).json();
}

/** Opens the Share dialog and makes an invite link for `role` through its form. */
async function makeInvite(page: Page, role: string): Promise<string> {
  await page.selectOption("#share-invite-role", role);
  const before = await page.inputValue("#share-link");
  await page.getByRole("button", { name: "Create link" }).click();
  await page.waitForFunction((old) => {
    const v = (document.getElementById("share-link") as HTMLInputElement).value;
    return v !== old && v.includes("?invite=");
  }, before);
  return page.inputValue("#share-link");
}

async function joinAs(session: BrowserSession, link: string, name: string): Promise<Page> {
  const p = session.page;
  await p.goto(link);
  await p.fill('input[name="name"]', name);
  await p.click('button[type="submit"]');
  await p.waitForURL((u) => u.pathname === "/" && !u.search.includes("invite"));
  return p;
}

async function selectCard(p: Page, path: string) {
  await p.click(`.card[data-path="${path}"]`);
  await p.waitForSelector(`#inspector-body[data-path="${path}"]`);
}

test("A17 A18 A19 A20 A21: owner shares, a rater rates, a viewer cannot, people by name, a revoked page stops within a second", async () => {
  const errors = watchErrors(rater.page);
  const link = /(http:\/\/\S+\/\?token=\S+)/.exec(server.output())?.[1] as string;
  const o = owner.page;
  await o.goto(`${link}&folder=%2Fa`);
  await o.waitForSelector(".card");
  const cookie = (await owner.context.cookies()).find((c) => c.name.startsWith("lenslet_"));
  ownerAuth = { Cookie: `${cookie?.name}=${cookie?.value}` };
  expect(await o.textContent("#app .who")).toBe("Owner");

  // A17: the Share dialog is a named modal; focus goes in, the page behind is inert, focus comes back.
  const share = o.getByRole("button", { name: "Share" });
  await share.click();
  const dialog = o.getByRole("dialog", { name: "Share this gallery" });
  await dialog.waitFor();
  expect(await o.evaluate(() => document.querySelector("#share-dialog")?.matches(":modal"))).toBe(
    true,
  );
  // Focus lands on the first choice in the dialog.
  expect(await o.evaluate(() => document.activeElement?.id)).toBe("share-invite-role");
  // A click on the page behind the modal reaches nothing there.
  expect(
    await o.evaluate(() => {
      const el = document.elementFromPoint(5, 300);
      return !!el?.closest("#share-dialog") || el === document.documentElement;
    }),
  ).toBe(true);
  // An owner may hand out admin; nobody may hand out owner.
  expect(await o.$$eval("#share-invite-role option", (os) => os.map((x) => x.textContent))).toEqual(
    ["viewer", "rater", "admin"],
  );
  const raterLink = await makeInvite(o, "rater");
  await o.getByRole("button", { name: "Copy link" }).click();
  await o.waitForFunction(() => document.getElementById("share-status")?.textContent === "Copied.");
  const viewerLink = await makeInvite(o, "viewer");
  expect(viewerLink).not.toBe(raterLink);
  // The open links are listed with their roles.
  await o.waitForFunction(
    () => document.querySelectorAll("#share-lists [data-invite]").length === 2,
  );
  // Every control in the dialog has a name; no serious accessibility violation inside it.
  const axe = await new AxeBuilder({ page: o }).include("#share-dialog").analyze();
  expect(
    axe.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
  await o.keyboard.press("Escape");
  await o.waitForFunction(() => !document.querySelector("#share-dialog")?.hasAttribute("open"));
  expect(await o.evaluate(() => document.activeElement?.getAttribute("data-action"))).toBe(
    "share-open",
  );

  // The rater joins, sees no Share dialog, and rates.
  const r = await joinAs(rater, raterLink, "Rita");
  await r.goto(`${server.url}/?folder=%2Fa`);
  await r.waitForSelector(".card");
  expect(await r.$$(".share-button, #share-dialog")).toHaveLength(0);
  expect(await r.textContent("#app .who")).toBe("Rita");
  await selectCard(r, "/a/one.jpg");
  await r.click('#inspector-body .star[data-value="3"]');
  await r.waitForSelector(".status .save-status.saved");
  const rated = await (
    await fetch(`${server.url}/item?path=/a/one.jpg`, { headers: ownerAuth })
  ).json();
  expect(rated.star).toBe(3);
  expect(rated.updated_by).toMatch(/^Rita \(per_/);

  // A18: the viewer sees no edit controls, its keys do not pretend to rate, and the server refuses it.
  const v = await joinAs(viewer, viewerLink, "Vera");
  await v.goto(`${server.url}/?folder=%2Fb`);
  await v.waitForSelector(".card");
  expect(await v.$$(".share-button, #share-dialog")).toHaveLength(0);
  expect(await v.textContent("#banner")).toContain("you are a viewer here");
  await selectCard(v, "/b/three.jpg");
  expect(
    await v.$eval("#inspector-body .star-buttons", (f) => (f as HTMLFieldSetElement).disabled),
  ).toBe(true);
  expect(
    await v.$$eval("#inspector-body textarea, #inspector-body input", (els) =>
      els.every((e) => (e as HTMLInputElement).disabled),
    ),
  ).toBe(true);
  const writes: string[] = [];
  v.on("request", (req) => {
    if (req.method() !== "GET" && /\/items?(\/patch)?\?|\/items\/patch/.test(req.url()))
      writes.push(`${req.method()} ${req.url()}`);
  });
  await v.locator("#grid-list").focus();
  await v.keyboard.press("4");
  await v.waitForFunction(
    () =>
      !document.getElementById("role-hint")?.hidden &&
      document.getElementById("role-hint")?.textContent === "You can view, not rate",
  );
  expect(await v.$$("#inspector-body .star.on")).toHaveLength(0);
  // A disabled star cannot be pressed either.
  await v.$eval('#inspector-body .star[data-value="5"]', (b) => (b as HTMLButtonElement).click());
  expect(writes).toEqual([]);
  const fromPage = await v.evaluate(async () => {
    const res = await fetch("/item?path=/b/three.jpg", {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ set_star: 5 }),
    });
    const health = await (await fetch("/health")).json();
    return { status: res.status, error: (await res.json()).error, canWrite: health.can_write };
  });
  expect(fromPage).toEqual({ status: 403, error: "forbidden", canWrite: false });
  const untouched = await (
    await fetch(`${server.url}/item?path=/b/three.jpg`, { headers: ownerAuth })
  ).json();
  expect(untouched.star).toBeNull();

  // A19: the people list: everyone once, with role and folder; a name leads to that folder.
  await o.click("#presence");
  await o.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#people-list .person")].map((li) =>
      [".person-name", ".person-role", ".person-folder"]
        .map((c) => li.querySelector(c)?.textContent)
        .join(" "),
    );
    return (
      rows.length === 3 &&
      rows.includes("Owner owner /a") &&
      rows.includes("Rita rater /a") &&
      rows.includes("Vera viewer /b")
    );
  });
  expect(await o.textContent("#people-list .person.you .person-name")).toBe("Owner");
  // A20: a rename shows at once in the others' list (no heartbeat waited for) and on the page's name button.
  await r.click("#app .who");
  await r.fill("#whoami-name", "Rita R.");
  await r.press("#whoami-name", "Enter");
  await r.waitForFunction(() => document.querySelector("#app .who")?.textContent === "Rita R.");
  await o.waitForFunction(() =>
    [...document.querySelectorAll("#people-list .person-name")].some(
      (n) => n.textContent === "Rita R.",
    ),
  );
  await o.click('#people-list .person-link[data-folder="/b"]');
  await o.waitForSelector('#browse[data-folder="/b"]');

  // A7 A21: the owner ends the rater's session from the dialog; the rater's page says so within a second.
  await share.click();
  await o.waitForSelector('#share-lists [data-session] .session-name:text("Rita R.")');
  const before = (await health()).events.connected;
  expect(await r.$("#live-stream")).not.toBeNull();
  const seen = r.waitForSelector("#access-ended[open]", { timeout: 5000 });
  // From the moment the owner's page sends the DELETE (same clock: one machine).
  let sentAt = 0;
  o.on("request", (req) => {
    if (req.method() === "DELETE" && req.url().includes("/access/sessions/")) sentAt = Date.now();
  });
  await o.click(
    '#share-lists li[data-session]:has(.session-name:text("Rita R.")) [data-action="share-end-session"]',
  );
  await seen;
  const shownAt = Number(await r.getAttribute("#app", "data-access-ended-at"));
  const elapsed = shownAt - sentAt;
  expect(sentAt).toBeGreaterThan(0);
  expect(elapsed).toBeLessThan(1000);
  expect(await r.textContent("#access-ended h2")).toBe("Your access was ended by an admin");
  // Told by the stream's last event, not found out at the next request.
  expect(await r.getAttribute("#app", "data-access-ended-via")).toBe("stream");
  // Its stream closed (the page dropped it and the server counts one fewer) and nothing reconnects.
  expect(await r.$("#live-stream")).toBeNull();
  const deadline = Date.now() + 2000;
  let connected = before;
  while (Date.now() < deadline && connected >= before)
    connected = (await health()).events.connected;
  expect(connected).toBeLessThan(before);
  expect(await r.evaluate(async () => (await fetch("/item?path=/a/one.jpg")).status)).toBe(401);
  // The list the owner sees no longer holds the ended session.
  await o.waitForFunction(
    () =>
      ![...document.querySelectorAll("#share-lists .session-name")].some(
        (n) => n.textContent === "Rita R.",
      ),
  );
  expect(errors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
  console.log(`A21: revoked page showed "access ended" ${elapsed} ms after the click`);
}, 120_000);
