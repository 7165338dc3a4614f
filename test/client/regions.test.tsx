/** @jsxImportSource hono/jsx */
/**
 * U19: every region the page swaps is one server component, rendered in the page and alone. Each test asks
 * the real app for the full page and for the fragment, parses both (happy-dom) and compares the region's
 * markup; the conflict box and the multi-selection inspector, which the page renders on demand, are checked
 * for what they must show (U22, U23).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Window } from "happy-dom";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;
beforeAll(async () => {
  app = await startTestLenslet({ "x/a.jpg": {}, "x/b.jpg": {}, "x/c.jpg": {} });
  await patch("/x/a.jpg", { base_version: 1, set_star: 4, add_tags: ["sky", "<b>dusk</b>"] });
  await patch("/x/b.jpg", { base_version: 1, set_star: 2, add_tags: ["sky"], set_notes: "n" });
});
afterAll(() => app.dispose());

function parse(html: string) {
  const w = new Window({ url: "http://localhost/" });
  w.document.write(html);
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
}

/** A patch on whatever version the item has now (for tests that do not own its history). */
async function patchNow(path: string, fields: object, name = "Ana") {
  const now = await (await app.get(`/item?path=${encodeURIComponent(path)}`)).json();
  await patch(path, { base_version: now.version, ...fields }, name);
}

const text = async (url: string, init?: RequestInit) => {
  const res = await app.get(url, init);
  expect(res.status).toBe(200);
  return res.text();
};
const post = (url: string, body: unknown) =>
  text(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

test("U19: a card alone (GET /grid/page) equals that card in the page", async () => {
  const page = parse(await text("/?folder=/x"));
  const frag = parse(await text("/grid/page?folder=/x&offset=0&limit=120"));
  const inPage = [...page.querySelectorAll("#grid .card")].map((c) => c.outerHTML);
  const alone = [...frag.querySelectorAll(".card")].map((c) => c.outerHTML);
  expect(inPage).toHaveLength(3);
  expect(alone).toEqual(inPage);
  // One home for a card's labels: the stars are named in words, the chips escaped.
  const a = frag.querySelector('.card[data-path="/x/a.jpg"]')!;
  expect(a.querySelector(".stars")!.getAttribute("aria-label")).toBe("4 stars");
  expect(frag.querySelector('.card[data-path="/x/c.jpg"] .stars')!.getAttribute("aria-label")).toBe(
    "Unrated",
  );
  expect([...a.querySelectorAll(".chip")].map((c) => c.textContent)).toEqual([
    "sky",
    "<b>dusk</b>",
  ]);
});

test("U19: the empty inspector alone (GET /inspector) equals the page's with nothing selected", async () => {
  const page = parse(await text("/?folder=/x"));
  const frag = parse(await text("/inspector"));
  expect(frag.querySelector("#inspector-body")!.outerHTML).toBe(
    page.querySelector("#inspector-body")!.outerHTML,
  );
  expect(frag.querySelector("#inspector-body")!.getAttribute("data-path")).toBe("");
});

test("U19: an item's inspector alone equals the page's with it selected", async () => {
  const page = parse(await text("/?folder=/x&sel=/x/b.jpg"));
  const frag = parse(await text("/inspector?path=/x/b.jpg"));
  expect(frag.querySelector("#inspector-body")!.outerHTML).toBe(
    page.querySelector("#inspector-body")!.outerHTML,
  );
});

test("U19: the title a swapped view sets (data-title) is the page's <title>", async () => {
  for (const q of ["folder=/x", "folder=/x&sel=/x/a.jpg", "folder=/"]) {
    const page = parse(await text(`/?${q}`));
    const frag = parse(
      await text(`/?${q}`, { headers: { "HX-Request": "true" } }).then((h) => `<body>${h}</body>`),
    );
    expect(frag.querySelector("#browse")!.getAttribute("data-title")).toBe(page.title);
  }
});

test("U19 U22: the multi-selection inspector: mixed stars as mixed, tags with counts, notes that differ", async () => {
  const page = parse(await text("/?folder=/x"));
  // Rendered in the page, empty and hidden, until several are selected.
  expect(page.querySelector("#bulk-inspector")!.hasAttribute("hidden")).toBe(true);
  const d = parse(await post("/inspector/many", { paths: ["/x/a.jpg", "/x/b.jpg", "/x/c.jpg"] }));
  const bulk = d.querySelector("#bulk-inspector")!;
  expect(bulk.hasAttribute("hidden")).toBe(false);
  expect(bulk.querySelector("h2")!.textContent).toBe("3 selected");
  expect(bulk.querySelector(".bulk-stars")!.textContent).toBe(
    "Mixed: 1 × ★★★★☆ · 1 × ★★☆☆☆ · 1 × unrated",
  );
  expect(bulk.querySelectorAll('.star[aria-pressed="true"]').length).toBe(0);
  expect(bulk.querySelector(".bulk-flags")!.textContent).toBe("None flagged; none coloured");
  expect(bulk.querySelectorAll('.cull-buttons [aria-pressed="true"]').length).toBe(0);
  const tags = [...bulk.querySelectorAll(".bulk-tags li")].map((li) => [
    li.getAttribute("data-tag"),
    li.querySelector(".tag-count")!.textContent,
    li.querySelector("button")!.getAttribute("aria-label"),
  ]);
  expect(tags).toEqual([
    ["sky", "2/3", "Remove tag sky from all"],
    ["<b>dusk</b>", "1/3", "Remove tag <b>dusk</b> from all"],
  ]);
  expect(bulk.querySelector("b")).toBeNull();
  const notes = bulk.querySelector("#bulk-notes") as unknown as HTMLTextAreaElement;
  expect(notes.value).toBe("");
  expect(notes.getAttribute("placeholder")).toContain("2 different notes");
  // All alike: one value, pressed as such.
  const same = parse(await post("/inspector/many", { paths: ["/x/a.jpg", "/x/a.jpg"] }));
  expect(same.querySelector(".bulk-stars")!.textContent).toBe("All 4 stars");
  expect(same.querySelectorAll('.star[aria-pressed="true"]').length).toBe(4);
  // Flags and colours: mixed in words; a state every image has is pressed (pressing it clears it for all).
  await patchNow("/x/b.jpg", { set_flag: "pick", set_color: "red" });
  await patchNow("/x/c.jpg", { set_flag: "pick", set_color: "blue" });
  const cull = parse(await post("/inspector/many", { paths: ["/x/b.jpg", "/x/c.jpg"] }));
  expect(cull.querySelector(".bulk-flags")!.textContent).toBe(
    "All picked; Mixed: 1 × red · 1 × blue",
  );
  expect(
    [...cull.querySelectorAll('.cull-buttons [aria-pressed="true"]')].map((b) =>
      b.getAttribute("data-value"),
    ),
  ).toEqual(["pick"]);
});

test("U23 L19: the conflict box shows yours and theirs (stars, tags, flags, colours); notes as a word diff; bad bodies are 400, unknown items 404", async () => {
  const star = parse(
    await post("/conflict", { path: "/x/a.jpg", field: "star", mine: { star: 1 } }),
  ).querySelector(".conflict")!;
  expect(star.getAttribute("data-version")).toBe("2");
  expect(star.querySelector(".conflict-head")!.textContent).toContain("Changed by Ana");
  expect(star.querySelector(".yours")!.textContent).toBe("★☆☆☆☆ (1 star)");
  expect(star.querySelector(".theirs")!.textContent).toBe("★★★★☆ (4 stars)");
  // L19: a flag or colour write that met a newer version shows both, in words.
  await patchNow("/x/b.jpg", { set_flag: "reject", set_color: "green" }, "Ben");
  for (const [field, mine, yours, theirs] of [
    ["flag", { flag: "pick" }, "⚑ Pick", "✕ Reject"],
    ["color", { color: null }, "no colour", "Green"],
  ] as const) {
    const box = parse(await post("/conflict", { path: "/x/b.jpg", field, mine })).querySelector(
      ".conflict",
    )!;
    expect(box.getAttribute("data-field")).toBe(field);
    expect(box.querySelector(".conflict-head strong")!.textContent).toBe("Ben");
    expect(box.querySelector(".yours")!.textContent).toBe(yours);
    expect(box.querySelector(".theirs")!.textContent).toBe(theirs);
  }
  await patchNow("/x/c.jpg", { set_notes: "the quick brown fox" }, "Ben");
  const notes = parse(
    await post("/conflict", {
      path: "/x/c.jpg",
      field: "notes",
      mine: { notes: "the slow brown fox <i>jumps</i>" },
    }),
  ).querySelector(".conflict")!;
  expect(notes.querySelector(".conflict-head strong")!.textContent).toBe("Ben");
  expect([...notes.querySelectorAll(".diff-text del")].map((e) => e.textContent)).toEqual([
    "quick ",
  ]);
  expect([...notes.querySelectorAll(".diff-text ins")].map((e) => e.textContent)).toEqual([
    "slow ",
    "<i>jumps</i>",
  ]);
  expect(notes.querySelector("i")).toBeNull();
  // Without their words it reads as yours; without yours, as theirs.
  const without = (tag: string) => {
    const copy = notes.querySelector(".diff-text")!.cloneNode(true) as typeof notes;
    for (const e of [...copy.querySelectorAll(tag)]) e.remove();
    return copy.textContent;
  };
  expect(without("del")).toBe("the slow brown fox <i>jumps</i>");
  expect(without("ins")).toBe("the quick brown fox ");
  const bad = await app.get("/conflict", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path: "/x/a.jpg", field: "colour", mine: {} }),
  });
  expect(bad.status).toBe(400);
  expect((await bad.json()).field).toBe("field");
  const missing = await app.get("/conflict", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path: "/x/none.jpg", field: "star", mine: { star: 1 } }),
  });
  expect(missing.status).toBe(404);
});

test("U19: the export links a swapped view carries (out of band) equal the page's for that view", async () => {
  for (const q of ["folder=/x", "folder=/x&recursive=1&stars=4&q=sky"]) {
    const page = parse(await text(`/?${q}`));
    const frag = parse(
      await text(`/?${q}`, { headers: { "HX-Request": "true" } }).then((h) => `<body>${h}</body>`),
    );
    const links = (d: ReturnType<typeof parse>) =>
      [...d.querySelectorAll("#export-links a")].map((a) => a.getAttribute("href"));
    expect(links(frag)).toEqual(links(page));
    expect(frag.querySelector("#export-links")!.innerHTML).toBe(
      page.querySelector("#export-links")!.innerHTML,
    );
  }
});
