/**
 * U17: the page's bindings (public/bind.js), the part of Alpine the markup uses, under happy-dom: stores made
 * at "alpine:init", x-text / x-show / x-bind:class / x-for following them, x-cloak dropped, and content swapped
 * in later bound as it arrives.
 */
import { expect, test } from "bun:test";

type Store = Record<string, unknown>;
const tick = () => new Promise((r) => setTimeout(r, 0));

test("U17: x-text, x-show, x-bind:class and x-for follow the stores; swapped-in markup is bound too", async () => {
  document.body.innerHTML = `
    <span id="t" x-data x-text="$store.s.count.toLocaleString()"></span>
    <span id="sh" x-show="$store.s.count > 1" x-cloak>many</span>
    <span id="c" class="dot" x-bind:class="$store.s.state"></span>
    <div id="list"><template x-for="n in $store.s.names"><b class="n" x-text="n"></b></template></div>`;
  let initialized = false;
  document.addEventListener("alpine:init", () =>
    window.Alpine?.store("s", { count: 1200, state: "live", names: ["Ana", "<i>Ben</i>"] }),
  );
  document.addEventListener("alpine:initialized", () => {
    initialized = true;
  });
  await import("../../public/bind.js");
  await tick();
  expect(initialized).toBe(true);
  const $ = (sel: string) => document.querySelector(sel) as HTMLElement;
  expect($("#t").textContent).toBe("1,200");
  expect($("#sh").style.display).toBe("");
  expect($("#sh").hasAttribute("x-cloak")).toBe(false);
  // (happy-dom reads `class` wrong beside an `x-bind:class` attribute; the markup is right.)
  expect($("#c").outerHTML).toContain('class="dot live"');
  expect([...document.querySelectorAll("#list .n")].map((e) => e.textContent)).toEqual([
    "Ana",
    "<i>Ben</i>",
  ]);
  expect(document.querySelector("#list i")).toBeNull();

  const s = window.Alpine?.store("s") as Store;
  s.count = 1;
  s.state = "offline";
  s.names = ["Eve"];
  await tick();
  expect($("#t").textContent).toBe("1");
  expect($("#sh").style.display).toBe("none");
  expect($("#c").outerHTML).toContain('class="dot offline"');
  expect([...document.querySelectorAll("#list .n")].map((e) => e.textContent)).toEqual(["Eve"]);

  // Markup that arrives later (an htmx swap) is bound as it is inserted.
  const later = document.createElement("div");
  later.innerHTML = `<span id="late" x-text="$store.s.state"></span>`;
  document.body.append(later);
  await tick();
  expect($("#late").textContent).toBe("offline");
});
