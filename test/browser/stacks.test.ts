/**
 * Stacks in real Chromium against the real app (M6): G stacks the bursts (badge, status bar
 * counts, the address says stack=bursts), E opens the selected stack in place, a member is
 * selected and rated and, being the best frame now, fronts the stack; E closes it; a click on
 * the count opens and closes too; another person's pick moves the front frame live.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BrowserSession, openBrowser, watchErrors } from "../helpers/browser.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let s: TestLenslet;
let browser: BrowserSession;
/** a-1 … a-3 a minute apart, then the burst b-1 … b-5 one second apart, then c-1, c-2. */
const NAMES = ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3", "b-4", "b-5", "c-1", "c-2"];

beforeAll(async () => {
  const files: Record<string, object> = {};
  for (const n of NAMES) files[`${n}.jpg`] = {};
  s = await startTestLenslet(files as never, { watch: false }, (root) => {
    const lines: string[] = [];
    let t = Date.UTC(2024, 4, 1, 8, 0, 0);
    for (const n of NAMES) {
      t += n.startsWith("b-") && n !== "b-1" ? 1000 : 60_000;
      const d = new Date(t).toISOString().replace("T", " ").slice(0, 19).replaceAll("-", ":");
      lines.push("-q", "-overwrite_original", `-DateTimeOriginal=${d}`, join(root, `${n}.jpg`));
      lines.push("-execute");
    }
    const args = join(root, "..", `stack-args-${process.pid}.txt`);
    writeFileSync(args, `${lines.join("\n")}\n`);
    const r = Bun.spawnSync(["exiftool", "-@", args], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  });
  browser = await openBrowser();
  await browser.context.addInitScript(() => {
    localStorage.setItem("lenslet.name", "Ana");
    localStorage.setItem("lenslet.nameAsked", "1");
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.dispose();
});

const card = (n: string) => `.card[data-path="/${n}.jpg"]`;
const item = async (n: string) =>
  (await fetch(`${s.url}/item?path=${encodeURIComponent(`/${n}.jpg`)}`).then((r) => r.json())) as {
    star: number | null;
    flag: string | null;
    version: number;
  };
/** The grid's cards in order: name, and "5" / "open 5" / "member" for stacks. */
const cards = () =>
  browser.page.$$eval(".grid-page .card", (cs) =>
    cs
      .map((c) => c as HTMLElement)
      .sort((x, y) => Number(x.dataset.index) - Number(y.dataset.index))
      .map((c) => {
        const n = (c.dataset.path ?? "").slice(1, -4);
        if (c.dataset.member) return `${n} member`;
        if (c.dataset.stack) return `${n} ${c.dataset.stackOpen ? "open " : ""}${c.dataset.stack}`;
        return n;
      }),
  );
const until = async (want: string[]) => {
  for (let i = 0; ; i++) {
    const got = await cards();
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    if (i > 200) expect(got).toEqual(want);
    await Bun.sleep(50);
  }
};

describe("stacks in a real browser", () => {
  test("M6: G stacks bursts; badge and counts; E opens; select and rate a member; E closes; the count toggles; live front frame", async () => {
    const { page } = browser;
    const errors = watchErrors(page);
    await page.goto(s.url);
    await page.waitForSelector(card("c-2"));
    await page.waitForFunction(() => !!(window as unknown as { Alpine?: unknown }).Alpine);

    // G: stacks of bursts. One card for b-1 … b-5, with its count; the address keeps it.
    await page.keyboard.press("g");
    await page.waitForSelector(`${card("b-1")}[data-stack="5"] .stack-badge`);
    await until(["a-1", "a-2", "a-3", "b-1 5", "c-1", "c-2"]);
    expect(new URL(page.url()).searchParams.get("stack")).toBe("bursts");
    expect(await page.textContent("#status .stack-count")).toBe("5 images in 1 stack");
    expect(await page.textContent("#status .count")).toContain("10 images");
    expect(await page.inputValue('#browse-form [name="stack"]')).toBe("bursts");
    // Kept on reload.
    await page.reload();
    await page.waitForSelector(`${card("b-1")}[data-stack="5"]`);

    // Select the stack, E: its other frames follow it, marked.
    await page.click(card("b-1"));
    await page.waitForSelector(`${card("b-1")}.selected`);
    await page.keyboard.press("e");
    await until([
      "a-1",
      "a-2",
      "a-3",
      "b-1 open 5",
      "b-2 member",
      "b-3 member",
      "b-4 member",
      "b-5 member",
      "c-1",
      "c-2",
    ]);
    expect(new URL(page.url()).searchParams.get("expand")).toBe("/b-1.jpg");

    // Select a member and rate it: the best frame now, it fronts the open stack.
    await page.click(card("b-3"));
    await page.waitForSelector(`${card("b-3")}.selected`);
    await page.keyboard.press("4");
    for (;;) {
      if ((await item("b-3")).star === 4) break;
      await Bun.sleep(50);
    }
    await until([
      "a-1",
      "a-2",
      "a-3",
      "b-3 open 5",
      "b-1 member",
      "b-2 member",
      "b-4 member",
      "b-5 member",
      "c-1",
      "c-2",
    ]);

    // E on it closes the stack: one card again, b-3 in front.
    await page.click(card("b-3"));
    await page.keyboard.press("e");
    await until(["a-1", "a-2", "a-3", "b-3 5", "c-1", "c-2"]);
    expect(new URL(page.url()).searchParams.get("expand")).toBeNull();

    // A click on the count opens it and, again, closes it.
    await page.click(`${card("b-3")} .stack-badge`);
    await page.waitForSelector(`${card("b-3")}[data-stack-open="1"]`);
    expect((await cards()).filter((c) => c.endsWith("member"))).toHaveLength(4);
    await page.click(`${card("b-3")} .stack-badge`);
    await until(["a-1", "a-2", "a-3", "b-3 5", "c-1", "c-2"]);

    // Someone else picks b-5 (over HTTP, as another person): the stack's card follows, live.
    const cur = await item("b-5");
    const r = await fetch(`${s.url}/item?path=${encodeURIComponent("/b-5.jpg")}`, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
        "X-Lenslet-Name": "Bo",
      },
      body: JSON.stringify({ base_version: cur.version, set_flag: "pick" }),
    });
    expect(r.status).toBe(200);
    await until(["a-1", "a-2", "a-3", "b-5 5", "c-1", "c-2"]);

    // G again: duplicates (none among these), then off.
    await page.keyboard.press("g");
    await page.waitForFunction(
      () => new URL(location.href).searchParams.get("stack") === "duplicates",
    );
    await page.keyboard.press("g");
    await page.waitForFunction(() => !new URL(location.href).searchParams.has("stack"));
    await until(NAMES);
    // Two quick presses step twice, even before the first view has arrived: off → bursts → duplicates.
    await page.keyboard.press("g");
    await page.keyboard.press("g");
    await page.waitForFunction(
      () => new URL(location.href).searchParams.get("stack") === "duplicates",
    );
    await page.waitForSelector(
      '#browse-form select[name="stack"] option[value="duplicates"]:checked',
      {
        state: "attached",
      },
    );
    expect(errors).toEqual([]);
  }, 120_000);
});
