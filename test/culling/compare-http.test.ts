/** GET /compare through the real server (M4): 2–4 images as one fragment, bad asks as JSON errors. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let s: TestLenslet;
beforeAll(async () => {
  s = await startTestLenslet(
    {
      "a.jpg": { w: 40, h: 30 },
      "b.jpg": { w: 30, h: 40 },
      "c.jpg": {},
      "d.jpg": {},
      "e.jpg": {},
    },
    { watch: false },
  );
});
afterAll(async () => {
  await s?.dispose();
});

const ask = (...paths: string[]) =>
  fetch(`${s.url}/compare?${paths.map((p) => `path=${encodeURIComponent(p)}`).join("&")}`);

describe("compare route (M4)", () => {
  test("M4: two images → one modal fragment with a frame each, its size, version and labels", async () => {
    await fetch(`${s.url}/item?path=/b.jpg`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ base_version: 1, set_flag: "pick", set_color: "green", set_star: 4 }),
    }).then((r) => expect(r.status).toBe(200));
    const r = await ask("/a.jpg", "b.jpg");
    expect(r.status).toBe(200);
    expect(r.headers.get("Content-Type")).toContain("text/html");
    const html = await r.text();
    expect(html).toContain('id="compare"');
    expect(html).toContain('aria-modal="true"');
    expect(html.match(/class="compare-frame"/g)?.length).toBe(2);
    expect(html).toContain('data-path="/a.jpg"');
    expect(html).toMatch(
      /data-path="\/b.jpg" data-version="2" data-flag="pick" data-color="green" data-star="4"/,
    );
    expect(html).toContain('data-width="40" data-height="30"');
  });

  test("M4: fewer than 2, more than 4, a bad path or a missing image are JSON errors", async () => {
    const one = await ask("/a.jpg");
    expect(one.status).toBe(400);
    expect((await one.json()).field).toBe("path");
    expect((await ask("/a.jpg", "/a.jpg")).status).toBe(400);
    expect((await ask("/a.jpg", "/b.jpg", "/c.jpg", "/d.jpg", "/e.jpg")).status).toBe(400);
    expect((await ask("/a.jpg", "/b.jpg", "/c.jpg", "/d.jpg")).status).toBe(200);
    const missing = await ask("/a.jpg", "/nope.jpg");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBe("not_found");
    expect((await ask("/a.jpg", "")).status).toBe(400);
  });
});
