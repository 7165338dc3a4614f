// @ts-check
// The page's live bindings: the small part of Alpine.js the server's markup uses, in about 1 KB instead of
// Alpine's 19 KB (gzip), so the first load stays ≤ 50 KB (spec U17). It keeps Alpine's names so views and
// modules read the same: stores made at "alpine:init" (`window.Alpine.store(name, {...})`), and in the
// markup `x-text`, `x-show`, `x-bind:class` and `<template x-for="n in …">` over `$store.<name>.<field>`
// expressions, `x-cloak` until bound. Anything else Alpine offers is not here: add it here when a view needs it.
// Elements htmx swaps in are bound as they arrive (a MutationObserver, as Alpine does).

/** @type {Record<string, Record<string, unknown>>} */
const stores = {};
/**
 * One bound attribute; for x-for, `expr` is the list, `item` the name each copy's x-text reads and `base`
 * the list last drawn; for x-bind:class, `base` is the static class.
 * @typedef {{ el: Element, kind: "text" | "show" | "class" | "for", expr: string, base?: string, item?: string, shown?: Node[] }} Binding
 */
/** @type {Binding[]} */
let bindings = [];
let pending = false;

/** @param {string} name @param {Record<string, unknown>} [value] */
function store(name, value) {
  if (value === undefined) return stores[name];
  stores[name] = new Proxy(value, {
    set(target, key, v) {
      if (!Object.is(Reflect.get(target, key), v)) {
        Reflect.set(target, key, v);
        schedule();
      }
      return true;
    },
  });
  schedule();
  return undefined;
}

function schedule() {
  if (pending) return;
  pending = true;
  queueMicrotask(render);
}

/** @type {Map<string, Function>} */
const compiled = new Map();
/** @param {string} expr @param {Record<string, unknown>} [scope] */
function evaluate(expr, scope = {}) {
  const names = Object.keys(scope);
  const key = `${names.join(",")}|${expr}`;
  let fn = compiled.get(key);
  if (!fn) {
    fn = new Function("$store", ...names, `return (${expr});`);
    compiled.set(key, fn);
  }
  try {
    return fn(stores, ...names.map((n) => scope[n]));
  } catch {
    return undefined; // a store not made yet
  }
}

/** @param {Binding} b */
function apply(b) {
  const v = evaluate(b.expr);
  if (b.kind === "text") b.el.textContent = v === undefined || v === null ? "" : String(v);
  else if (b.kind === "show") /** @type {HTMLElement} */ (b.el).style.display = v ? "" : "none";
  else if (b.kind === "class") {
    // The bound class replaces the one bound before; the element's other classes stay.
    const next = String(v ?? "")
      .split(/\s+/)
      .filter(Boolean);
    for (const c of b.shown ?? [])
      if (!next.includes(/** @type {any} */ (c))) b.el.classList.remove(/** @type {any} */ (c));
    b.el.classList.add(...next);
    b.shown = /** @type {any} */ (next);
  } else renderFor(b, v);
}

/** `<template x-for="n in list">`: one copy of its content per item, after the template. @param {Binding} b @param {unknown} list */
function renderFor(b, list) {
  const items = Array.isArray(list) ? list : [];
  const key = JSON.stringify(items);
  if (b.base === key) return; // unchanged: no DOM writes (they would come back as mutations)
  b.base = key;
  const name = b.item ?? "n";
  for (const n of b.shown ?? []) n.parentNode?.removeChild(n);
  b.shown = [];
  const tpl = /** @type {HTMLTemplateElement} */ (b.el);
  let after = /** @type {Node} */ (tpl);
  for (const item of items) {
    const copy = /** @type {DocumentFragment} */ (tpl.content.cloneNode(true));
    for (const el of copy.querySelectorAll("[x-text]")) {
      el.textContent = String(evaluate(el.getAttribute("x-text") ?? "", { [name]: item }) ?? "");
      el.removeAttribute("x-text"); // a copy is bound once, here (and never again as it is inserted)
    }
    const nodes = [...copy.childNodes];
    after.parentNode?.insertBefore(copy, after.nextSibling);
    b.shown.push(...nodes);
    after = nodes[nodes.length - 1] ?? after;
  }
}

function render() {
  pending = false;
  bindings = bindings.filter((b) => b.el.isConnected);
  for (const b of bindings) apply(b);
}

const SELECTOR = "[x-text], [x-show], [x-bind\\:class], template[x-for], [x-cloak]";
/** @param {ParentNode} root */
function bind(root) {
  const els = [...root.querySelectorAll(SELECTOR)];
  if (root instanceof Element && root.matches(SELECTOR)) els.unshift(root);
  if (!els.length) return;
  // (A template's content is not in the document: x-for binds each copy of it.)
  for (const el of els) {
    if (el instanceof HTMLTemplateElement && el.hasAttribute("x-for")) {
      const [item, list] = (el.getAttribute("x-for") ?? "").split(/\s+in\s+/);
      bindings.push({ el, kind: "for", expr: list ?? "[]", item: item?.trim() });
      continue;
    }
    const text = el.getAttribute("x-text");
    if (text !== null) bindings.push({ el, kind: "text", expr: text });
    const show = el.getAttribute("x-show");
    if (show !== null) bindings.push({ el, kind: "show", expr: show });
    const cls = el.getAttribute("x-bind:class");
    if (cls !== null)
      bindings.push({ el, kind: "class", expr: cls, base: el.getAttribute("class") ?? "" });
    el.removeAttribute("x-cloak");
  }
  schedule();
}

window.Alpine = { store: /** @type {any} */ (store) };

function start() {
  document.dispatchEvent(new CustomEvent("alpine:init"));
  bind(document);
  new MutationObserver((records) => {
    for (const r of records)
      for (const n of r.addedNodes) if (n instanceof Element && n.isConnected) bind(n);
  }).observe(document.body, { childList: true, subtree: true });
  render();
  document.dispatchEvent(new CustomEvent("alpine:initialized"));
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else queueMicrotask(start);

// (A module: the page imports it for its effects.)
export {};
