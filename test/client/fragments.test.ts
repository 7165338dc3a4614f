/**
 * DOM tests of the fragments the live page swaps in (under happy-dom, parsed
 * from real HTTP answers): after a write, /cards and /inspector show the new
 * labels, escaped, with who changed them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Window } from "happy-dom";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;
beforeAll(async () => {
  app = await startTestLenslet({ "x/a.jpg": {}, "x/b.jpg": {} });
});
afterAll(() => app.dispose());

function fragment(html: string) {
  const w = new Window({ url: "http://localhost/" });
  w.document.body.innerHTML = html;
  return w.document;
}

async function patch(path: string, body: object, name = "Ana") {
  const res = await app.get(`/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
      "X-Lenslet-Name": name,
      "X-Lenslet-Client": "tab1",
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

test("U2 G8: a card page carries the new stars, tags (escaped) and version", async () => {
  await patch("/x/a.jpg", { base_version: 1, set_star: 4, add_tags: ["<b>sky</b>", "dusk"] });
  const d = fragment(await (await app.get("/grid/page?folder=/x&offset=0&limit=1")).text());
  const card = d.querySelector(".card")!;
  expect(card.getAttribute("data-path")).toBe("/x/a.jpg");
  expect(card.getAttribute("data-star")).toBe("4");
  expect(card.getAttribute("data-version")).toBe("2");
  expect(card.querySelector(".stars")!.textContent).toBe("★★★★☆");
  expect([...card.querySelectorAll(".chip")].map((c) => c.textContent)).toEqual([
    "<b>sky</b>",
    "dusk",
  ]);
  expect(card.querySelector("b")).toBeNull();
});

test("U3 G8: the inspector shows the labels and who last edited them", async () => {
  await patch("/x/b.jpg", { base_version: 1, set_notes: "<script>x()</script> golden" }, "Ben <3");
  const d = fragment(await (await app.get("/inspector?path=/x/b.jpg")).text());
  const body = d.querySelector("#inspector-body")!;
  expect(body.getAttribute("data-version")).toBe("2");
  expect((d.querySelector(".notes") as unknown as { value: string }).value).toBe(
    "<script>x()</script> golden",
  );
  expect(d.querySelector("script")).toBeNull();
  expect(d.querySelector(".last-edited strong")!.textContent).toContain("Ben <3");
  expect(
    [...d.querySelectorAll(".conflict-slot")].map((e) => e.getAttribute("data-conflict")),
  ).toEqual(["star", "flag", "color", "tags", "notes"]);
});
