/**
 * Screenshots of the main screens (grid with the inspector, the viewer, subfolder tiles, the
 * phone's drawers) at 1440, 800 and 390 px, written to docs/screens/ as palette PNGs (each well
 * under 300 KB). Real Chromium (test/helpers/browser.ts) against the real server on the demo
 * gallery, or on DIR: `bun run scripts/screens.ts [DIR]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { openBrowser } from "../test/helpers/browser.ts";
import { startServerProcess } from "../test/helpers/server-process.ts";
import { removeDir, tempDir } from "../test/helpers/tree.ts";

const OUT = join(import.meta.dir, "..", "docs", "screens");
const FOLDER = "/animals/cats";
const PARENT = "/animals";

interface Shot {
  name: string;
  path: string;
  prepare?: (page: Page) => Promise<void>;
}

const SIZES: { label: string; width: number; height: number; phone: boolean }[] = [
  { label: "1440", width: 1440, height: 900, phone: false },
  { label: "800", width: 800, height: 1000, phone: false },
  { label: "390", width: 390, height: 844, phone: true },
];

async function firstPath(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await page.waitForSelector(".grid-page .card");
  return (await page.getAttribute(".grid-page .card >> nth=2", "data-path")) ?? "";
}

async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.images].every((i) => i.complete || i.loading === "lazy"),
  );
  await page.waitForSelector(".conn-status.live");
  // Drawer slides and the presence pill finish before the picture.
  await page.waitForTimeout(300);
}

const dir = process.argv[2];
const workspace = tempDir("lenslet-screens-ws-");
const server = await startServerProcess([...(dir ? [dir] : []), "--port", "0", "--workspace", workspace], {
  timeoutMs: 180_000,
});
mkdirSync(OUT, { recursive: true });
try {
  for (const size of SIZES) {
    const browser = await openBrowser({
      width: size.width,
      height: size.height,
      touch: size.phone,
    });
    const { page } = browser;
    await page.addInitScript(() => {
      localStorage.setItem("lenslet.name", "Ana");
      localStorage.setItem("lenslet.nameAsked", "1");
    });
    const sel = await firstPath(page, `${server.url}/?folder=${encodeURIComponent(FOLDER)}`);
    // A few labels so the cards show stars and tags.
    await page.evaluate(async (path) => {
      const r = await fetch(`/item?path=${encodeURIComponent(path)}`);
      const rec = await r.json();
      await fetch(`/item?path=${encodeURIComponent(path)}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify({
          base_version: rec.version,
          set_star: 4,
          add_tags: ["keeper", "golden-hour-portrait"],
        }),
      });
    }, sel);
    const q = `folder=${encodeURIComponent(FOLDER)}&sel=${encodeURIComponent(sel)}`;
    const shots: Shot[] = [
      { name: "grid", path: `/?${q}` },
      { name: "viewer", path: `/?${q}&view=1` },
      { name: "subfolders", path: `/?folder=${encodeURIComponent(PARENT)}` },
    ];
    if (size.width <= 900) {
      const open = (which: string) => async (p: Page) => {
        await p.click(`[data-drawer-toggle="${which}"]`);
        await p.waitForSelector(`#columns[data-drawer="${which}"]`);
      };
      shots.push(
        { name: "tree-drawer", path: `/?${q}`, prepare: open("tree") },
        { name: "inspector-drawer", path: `/?${q}`, prepare: open("inspector") },
      );
    }
    for (const shot of shots) {
      await page.goto(server.url + shot.path);
      await page.waitForSelector("#browse");
      await shot.prepare?.(page);
      await settle(page);
      const png = await page.screenshot({ type: "png" });
      const small = await sharp(png)
        .png({ palette: true, quality: 85, compressionLevel: 9, effort: 10 })
        .toBuffer();
      const file = join(OUT, `${shot.name}-${size.label}.png`);
      writeFileSync(file, small);
      console.log(`${file}  ${(small.length / 1024).toFixed(0)} KB`);
    }
    await browser.close();
  }
} finally {
  await server.stop();
  removeDir(workspace);
}
