/**
 * Saving as a person sees it, in real Chromium against the real server
 * process: the disk fails ("Not saved — Retry", nothing lost), heals (the
 * edit goes through by itself, once); --no-write keeps its banner.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BrowserSession, openBrowser } from "../helpers/browser.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { removeDir, tempDir, writeTree } from "../helpers/tree.ts";

let root: string;
let workspace: string;
let faults: string;
let browser: BrowserSession;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  root = tempDir("lenslet-saving-");
  workspace = tempDir("lenslet-saving-ws-");
  faults = join(tempDir("lenslet-faults-"), "faults");
  await writeTree(root, { "a/one.jpg": {}, "a/two.jpg": {} });
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  removeDir(root);
  removeDir(workspace);
});

/** A server on its own new workspace (every version starts at 1), optionally with a fault file. */
async function freshServer(faultFile?: string): Promise<ServerProcess> {
  const server = await startServerProcess(
    [root, "--port", "0", "--workspace", tempDir("lenslet-saving-ws-")],
    faultFile ? { env: { LENSLET_FAULTS_FILE: faultFile } } : {},
  );
  servers.push(server);
  return server;
}

describe("saving in a real browser", () => {
  test("J4 U7: a failing disk shows 'Not saved — Retry'; once it heals the edit is saved by itself, once", async () => {
    const server = await startServerProcess([root, "--port", "0", "--workspace", workspace], {
      env: { LENSLET_FAULTS_FILE: faults },
    });
    servers.push(server);
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/a&sel=/a/one.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/a/one.jpg"]');
    writeFileSync(faults, "fsync:ENOSPC");
    await page.click('#inspector-body .star[data-value="4"]');
    await page.waitForSelector(".status .save-status.failed");
    expect(await page.textContent(".status .save-status")).toContain("Not saved — Retry");
    expect(await page.textContent("#inspector-body .save-status")).toContain("Not saved — Retry");
    // Nothing was acknowledged, so nothing is on the server.
    expect((await (await fetch(`${server.url}/item?path=/a/one.jpg`)).json()).star).toBeNull();

    rmSync(faults);
    await page.waitForSelector(".status .save-status.saved", { timeout: 20_000 });
    const item = await (await fetch(`${server.url}/item?path=/a/one.jpg`)).json();
    expect(item.star).toBe(4);
    expect(item.version).toBe(2);
    await page.waitForSelector('.card[data-path="/a/one.jpg"][data-star="4"]');
  });

  test("U7: two quick ratings of one item go out in order, the second on the first's version: no conflict with yourself", async () => {
    const server = await freshServer();
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/a`);
    await page.click('.card[data-path="/a/two.jpg"]');
    // Every PATCH reaches the server, but its answer is held until both keys are pressed:
    // a second write sent meanwhile would carry the stale version and conflict.
    let release = () => {};
    const bothPressed = new Promise<void>((r) => {
      release = r;
    });
    const sent: { base_version: number; set_star: number }[] = [];
    await page.route(
      (url) => url.pathname === "/item",
      async (route) => {
        if (route.request().method() !== "PATCH") return route.continue();
        sent.push(JSON.parse(route.request().postData() ?? "{}"));
        const response = await route.fetch();
        await bothPressed;
        await route.fulfill({ response });
      },
    );
    await page.keyboard.press("4");
    await page.keyboard.press("5");
    release();
    await page.waitForSelector('.card[data-path="/a/two.jpg"][data-star="5"]');
    // The card shows 5 at once; the server has it once the second answer is through: wait for that.
    const read = async () => (await fetch(`${server.url}/item?path=/a/two.jpg`)).json();
    let item = await read();
    for (let i = 0; i < 400 && item.version < 3; i++) {
      await Bun.sleep(25);
      item = await read();
    }
    await page.unroute((url) => url.pathname === "/item");
    // Applied twice, in order, the second on the first's version: a stale base would be a 409.
    expect(item.star).toBe(5);
    expect(item.version).toBe(3);
    expect(sent.at(-1)).toMatchObject({ set_star: 5, base_version: 2 });
    expect(await page.locator(".conflict").count()).toBe(0);
  });

  test("U4 U7: when the first of two quick edits meets someone else's change, the second is not applied over it either", async () => {
    const server = await freshServer();
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/a&sel=/a/one.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/a/one.jpg"]');
    await page.click('.card[data-path="/a/one.jpg"]');
    // The first PATCH reaches the server only after Bo's change: it is based on a version Bo has replaced.
    let boDone = () => {};
    const afterBo = new Promise<void>((r) => {
      boDone = r;
    });
    const answers: number[] = [];
    let answered = () => {};
    const bothAnswered = new Promise<void>((r) => {
      answered = r;
    });
    page.on("response", (res) => {
      if (res.request().method() !== "PATCH") return;
      answers.push(res.status());
      if (answers.length === 2) answered();
    });
    let first = true;
    await page.route(
      (url) => url.pathname === "/item",
      async (route) => {
        if (route.request().method() === "PATCH" && first) {
          first = false;
          await afterBo;
        }
        await route.continue();
      },
    );
    await page.keyboard.press("4");
    await page.keyboard.press("5");
    const before = await (await fetch(`${server.url}/item?path=/a/one.jpg`)).json();
    const bo = await fetch(`${server.url}/item?path=/a/one.jpg`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "Bo",
      },
      body: JSON.stringify({ base_version: before.version, set_star: 2 }),
    });
    expect(bo.status).toBe(200);
    boDone();
    await bothAnswered;
    await page.unroute((url) => url.pathname === "/item");
    expect(answers).toEqual([409, 409]);
    expect((await (await fetch(`${server.url}/item?path=/a/one.jpg`)).json()).star).toBe(2);
    // The choice is offered, with the latest intent (5) behind "Apply mine again".
    await page.waitForSelector('.conflict-slot[data-conflict="star"] .conflict');
    expect(await page.textContent(".conflict")).toContain("Bo");
    await page.click("text=Apply mine again");
    await page.waitForSelector('.card[data-path="/a/one.jpg"][data-star="5"]');
    expect((await (await fetch(`${server.url}/item?path=/a/one.jpg`)).json()).star).toBe(5);
  });

  test("U23 L19: a pick that meets someone else's reject offers both in the flag's slot; 'Apply mine again' picks", async () => {
    const server = await freshServer();
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/a&sel=/a/two.jpg`);
    await page.waitForSelector('#inspector-body[data-path="/a/two.jpg"]');
    await page.click('.card[data-path="/a/two.jpg"]');
    // The pick reaches the server only after Bo's reject: it is based on the version Bo replaced.
    let boDone = () => {};
    const afterBo = new Promise<void>((r) => {
      boDone = r;
    });
    let held = false;
    await page.route(
      (url) => url.pathname === "/item",
      async (route) => {
        if (route.request().method() === "PATCH" && !held) {
          held = true;
          await afterBo;
        }
        await route.continue();
      },
    );
    const answered = page.waitForResponse((r) => r.request().method() === "PATCH");
    await page.keyboard.press("p");
    const bo = await fetch(`${server.url}/item?path=/a/two.jpg`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "Bo",
      },
      body: JSON.stringify({ base_version: 1, set_flag: "reject" }),
    });
    expect(bo.status).toBe(200);
    boDone();
    expect((await answered).status()).toBe(409);
    await page.unroute((url) => url.pathname === "/item");
    const box = page.locator('.conflict-slot[data-conflict="flag"] .conflict');
    await box.waitFor();
    expect(await box.locator(".yours").textContent()).toBe("⚑ Pick");
    expect(await box.locator(".theirs").textContent()).toBe("✕ Reject");
    expect(await page.locator('.conflict-slot[data-conflict="tags"] .conflict').count()).toBe(0);
    await box.locator("text=Apply mine again").click();
    await page.waitForSelector('.card[data-path="/a/two.jpg"][data-flag="pick"]');
    expect((await (await fetch(`${server.url}/item?path=/a/two.jpg`)).json()).flag).toBe("pick");
  });

  test("U7: a rating queued behind a bulk rating goes out on the version the bulk write returned", async () => {
    const server = await freshServer();
    const { page } = browser;
    const item = async (p: string) =>
      (await fetch(`${server.url}/item?path=${encodeURIComponent(p)}`)).json();
    await page.goto(`${server.url}/?folder=/a`);
    await page.click('.card[data-path="/a/one.jpg"]');
    await page.keyboard.press("1");
    await page.waitForSelector('.card[data-path="/a/one.jpg"][data-star="1"]');
    // Both selected, rated 2 in one batch whose answer is held until the next key is pressed.
    let release = () => {};
    const pressed = new Promise<void>((r) => {
      release = r;
    });
    await page.route(
      (url) => url.pathname === "/items/patch",
      async (route) => {
        const response = await route.fetch();
        await pressed;
        await route.fulfill({ response });
      },
    );
    await page.click('.card[data-path="/a/two.jpg"]', { modifiers: ["Control"] });
    await page.keyboard.press("2");
    await page.click('.card[data-path="/a/one.jpg"]');
    await page.keyboard.press("3");
    release();
    await page.waitForSelector('.card[data-path="/a/one.jpg"][data-star="3"][data-version="4"]');
    await page.unroute((url) => url.pathname === "/items/patch");
    expect((await item("/a/one.jpg")).star).toBe(3);
    expect((await item("/a/two.jpg")).star).toBe(2);
    expect(await page.locator(".conflict").count()).toBe(0);
  });

  test("J4 U7: a bulk rating the disk refuses is kept, and saved by itself once the disk heals", async () => {
    const bulkFaults = join(tempDir("lenslet-faults-"), "faults");
    const server = await freshServer(bulkFaults);
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/a`);
    await page.click('.card[data-path="/a/one.jpg"]');
    await page.click('.card[data-path="/a/two.jpg"]', { modifiers: ["Control"] });
    writeFileSync(bulkFaults, "fsync:EIO");
    await page.keyboard.press("4");
    await page.waitForSelector(".status .save-status.failed");
    const star = async (p: string) =>
      (await (await fetch(`${server.url}/item?path=${encodeURIComponent(p)}`)).json()).star;
    expect(await star("/a/one.jpg")).toBeNull();
    rmSync(bulkFaults);
    await page.waitForSelector(".status .save-status.saved", { timeout: 20_000 });
    expect(await star("/a/one.jpg")).toBe(4);
    expect(await star("/a/two.jpg")).toBe(4);
    await page.waitForSelector('.card[data-path="/a/two.jpg"][data-star="4"]');
  });

  test("U7: leaving the page with an edit not yet saved asks first; once saved it does not", async () => {
    const leaveFaults = join(tempDir("lenslet-faults-"), "faults");
    const server = await freshServer(leaveFaults);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}/?folder=/a`);
      await page.click('.card[data-path="/a/one.jpg"]');
      writeFileSync(leaveFaults, "fsync:ENOSPC");
      await page.keyboard.press("3");
      await page.waitForSelector(".status .save-status.failed");
      const asked = new Promise<string>((resolve) => {
        page.once("dialog", (d) => {
          resolve(d.type());
          void d.dismiss();
        });
      });
      await page.close({ runBeforeUnload: true });
      expect(await asked).toBe("beforeunload");
      expect(page.isClosed()).toBe(false);
      rmSync(leaveFaults);
      await page.waitForSelector(".status .save-status.saved", { timeout: 20_000 });
      let dialogs = 0;
      page.on("dialog", () => dialogs++);
      await page.close({ runBeforeUnload: true });
      await page.waitForEvent("close");
      expect(dialogs).toBe(0);
    } finally {
      if (!page.isClosed()) await page.close();
    }
  });

  test("W2: --no-write shows a banner that stays", async () => {
    const server = await startServerProcess([root, "--port", "0", "--no-write"]);
    servers.push(server);
    const { page } = browser;
    await page.goto(`${server.url}/?folder=/a`);
    await page.waitForSelector("#banner");
    expect(await page.textContent("#banner")).toContain(
      "Not saved to disk: edits are lost when Lenslet stops.",
    );
    await page.click('.tree .folder-link[data-folder="/a"]');
    await page.waitForSelector('#browse[data-folder="/a"]');
    expect(await page.isVisible("#banner")).toBe(true);
  });
});
