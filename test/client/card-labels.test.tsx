/** @jsxImportSource hono/jsx */
/**
 * U2: a live change is written into the card on the page by public/card-labels.js.
 * It must give exactly the markup the server renders (views/Card.tsx) for the
 * same labels, escaping included.
 */
import { expect, test } from "bun:test";
import { Window } from "happy-dom";
import { applyLabels, SHOWN_TAGS } from "../../public/card-labels.js";
import { Card, SHOWN_TAGS as SERVER_SHOWN_TAGS } from "../../views/Card.tsx";
import type { CardModel } from "../../views/model.ts";

const base: CardModel = {
  path: "/a/b.jpg",
  name: "b.jpg",
  thumbUrl: "/thumb?path=%2Fa%2Fb.jpg&v=x",
  star: null,
  tags: [],
  flag: null,
  color: null,
  version: 1,
  folder: null,
  folderHref: null,
  href: "/?sel=%2Fa%2Fb.jpg",
};

function render(card: CardModel): HTMLElement {
  const w = new Window({ url: "http://localhost/" });
  w.document.body.innerHTML = String(<Card card={card} index={7} />);
  return w.document.body.firstElementChild as unknown as HTMLElement;
}

const cases: Pick<CardModel, "star" | "tags" | "version" | "flag" | "color">[] = [
  { star: 3, tags: ["sky"], version: 2, flag: "pick", color: null },
  { star: null, tags: [], version: 3, flag: null, color: "red" },
  { star: 5, tags: ["a", "b", "c", "d", "e"], version: 4, flag: "reject", color: "purple" },
  { star: 1, tags: ["<img src=x onerror=alert(1)>", "&amp;"], version: 5, flag: null, color: null },
];

test("U2: the client's card update equals the server's card render", () => {
  expect(SHOWN_TAGS).toBe(SERVER_SHOWN_TAGS);
  for (const from of [base, ...cases.map((c) => ({ ...base, ...c }))]) {
    for (const to of cases) {
      if (to.version <= from.version) continue;
      const el = render(from);
      expect(applyLabels(el, to)).toBe(true);
      expect(el.outerHTML).toBe(render({ ...base, ...to }).outerHTML);
    }
  }
});

test("U2: an older version never overwrites a newer card", () => {
  const el = render({ ...base, star: 4, version: 9 });
  expect(applyLabels(el, { star: 1, tags: [], version: 8 })).toBe(false);
  expect(el.dataset.star).toBe("4");
});
