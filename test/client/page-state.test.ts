/**
 * U15: the client's shared state and its subscribe/notify, run as in a page (happy-dom globals from the test
 * preload): the selection is written in one place and the grid, which never imports the selection, redraws
 * its marks when told.
 */
import { expect, test } from "bun:test";
import { decorate, grid } from "../../public/grid.js";
import { notify, singleSelected, state, subscribe } from "../../public/page-state.js";
import { selection } from "../../public/selection.js";

test("U15: the DOM globals are happy-dom's, while fetch, Request and Response stay Bun's", () => {
  expect(typeof document.createElement).toBe("function");
  expect(typeof localStorage.getItem).toBe("function");
  expect(Response.name).toBe("Response");
  expect(new Response("x") instanceof Response).toBe(true);
  // Bun's own Response has `Response.json` and bytes(); happy-dom's does not have bytes().
  expect(typeof new Response("x").bytes).toBe("function");
});

test("U15: subscribe/notify calls listeners in order with the detail, and unsubscribes", () => {
  const seen: string[] = [];
  const off1 = subscribe("written", ({ records }) => seen.push(`a${records.length}`));
  const off2 = subscribe("written", ({ records }) => seen.push(`b${records.length}`));
  notify("written", { records: [{ path: "/x", version: 2, star: 1, tags: [] }] });
  off1();
  notify("written", { records: [] });
  off2();
  notify("written", { records: [] });
  expect(seen).toEqual(["a1", "b1", "b0"]);
});

test("U15: selecting writes page-state and the grid redraws selected/cursor marks and aria-selected", () => {
  document.body.innerHTML = `<section id="grid"><div class="grid-spacer"><div class="grid-page">
    <div class="card" data-path="/a.jpg" data-index="0" data-version="1"></div>
    <div class="card" data-path="/b.jpg" data-index="1" data-version="1"></div>
  </div></div></section>`;
  grid.el = document.getElementById("grid") as HTMLElement;
  selection.selectOnly(1, "/b.jpg");
  expect(state.selected).toEqual(new Set(["/b.jpg"]));
  expect(singleSelected()).toBe("/b.jpg");
  const [a, b] = [...document.querySelectorAll<HTMLElement>(".card")];
  expect(b!.classList.contains("selected")).toBe(true);
  expect(b!.classList.contains("cursor")).toBe(true);
  expect(a!.classList.contains("selected")).toBe(false);
  selection.toggle(0, "/a.jpg");
  expect(singleSelected()).toBeNull();
  expect(a!.classList.contains("selected")).toBe(true);
  selection.clear();
  decorate(grid.el);
  expect(document.querySelectorAll(".card.selected").length).toBe(0);
  expect(new URL(location.href).searchParams.get("sel")).toBeNull();
});
