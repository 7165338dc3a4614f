/** GET /groups/view through the real server (M5): the Bursts / Duplicates region as HTML. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let s: TestLenslet;

/** A picture with structure, so its hash means something. */
async function picture(seed: number): Promise<Buffer> {
  const w = 160;
  const h = 120;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] =
        (Math.sin((x + seed * 37) / (9 + seed)) + Math.cos((y * (seed + 1)) / 23)) * 60 + 128;
      raw[i + 1] = (x * seed) % 256;
      raw[i + 2] = (y * 3 + seed * 50) % 256;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

beforeAll(async () => {
  const same = await picture(3);
  s = await startTestLenslet(
    {
      "a.jpg": { bytes: same },
      "sub/a-copy.jpg": { bytes: same },
      "b.jpg": { bytes: await picture(7) },
    },
    { watch: false },
  );
});
afterAll(async () => {
  await s?.dispose();
});

const view = (q: string) => fetch(`${s.url}/groups/view?${q}`);

describe("groups region (M5)", () => {
  test("M5: duplicates of the subtree as thumbnails with their count, hashing shown until done", async () => {
    let html = "";
    for (;;) {
      const r = await view("kind=duplicate&folder=/");
      expect(r.status).toBe(200);
      html = await r.text();
      expect(html).toContain('id="groups"');
      const pending = Number(/data-pending="(\d+)"/.exec(html)?.[1]);
      if (pending === 0) break;
      // While images are still to be hashed, the region says so.
      expect(html).toContain("groups-progress");
      await Bun.sleep(50);
    }
    expect(html).not.toContain("groups-progress");
    expect(html.match(/class="group"/g)?.length).toBe(1);
    expect(html).toContain('data-count="2"');
    expect(html).toContain("/a.jpg");
    expect(html).toContain("/sub/a-copy.jpg");
    expect(html).not.toContain('title="/b.jpg"');
    expect(html).toContain("Open in compare");
    expect(html).toMatch(/src="\/thumb\?path=%2Fa.jpg&amp;v=/);
    // The JSON route agrees.
    const json = await fetch(`${s.url}/groups?kind=duplicate`).then((r) => r.json());
    expect(json.groups).toEqual([{ paths: ["/a.jpg", "/sub/a-copy.jpg"], count: 2 }]);
  });

  test("M5: no bursts without capture times; bad kind 400, missing folder 404", async () => {
    const r = await view("kind=burst");
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("No bursts here.");
    const bad = await view("kind=nope");
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toBe("kind");
    expect((await view("kind=burst&folder=/missing")).status).toBe(404);
  });
});
