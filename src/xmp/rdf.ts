/**
 * The RDF subset of XMP that carries labels (spec X3): properties of
 * `rdf:Description` elements, as attributes (`xmp:Rating="4"`) or as
 * elements whose value is text or an `rdf:Bag` / `rdf:Seq` / `rdf:Alt` of
 * `rdf:li`. Names are matched by namespace URI, not by prefix, so a tool that
 * binds `dc` to another prefix is read the same.
 */
import { elements, textOf, type XmlDocument, type XmlElement } from "./xml.ts";

export const NS = {
  x: "adobe:ns:meta/",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  xmp: "http://ns.adobe.com/xap/1.0/",
  dc: "http://purl.org/dc/elements/1.1/",
  lr: "http://ns.adobe.com/lightroom/1.0/",
  digiKam: "http://www.digikam.org/ns/1.0/",
  xml: "http://www.w3.org/XML/1998/namespace",
} as const;

/** Prefix → namespace URI in force at an element. */
export type Scope = ReadonlyMap<string, string>;

export const ROOT_SCOPE: Scope = new Map([["xml", NS.xml]]);

/** The scope inside `el`: its own xmlns declarations over the parent's. */
export function scopeOf(el: XmlElement, parent: Scope): Scope {
  let out: Map<string, string> | null = null;
  for (const [k, v] of el.attrs) {
    if (k.startsWith("xmlns:")) {
      out ??= new Map(parent);
      out.set(k.slice(6), v);
    }
  }
  return out ?? parent;
}

/** `{uri, local}` of a qualified name in `scope`; null for an unbound prefix or no prefix. */
export function resolve(name: string, scope: Scope): { uri: string; local: string } | null {
  const colon = name.indexOf(":");
  if (colon < 0) return null;
  const uri = scope.get(name.slice(0, colon));
  return uri === undefined ? null : { uri, local: name.slice(colon + 1) };
}

export function isName(name: string, scope: Scope, uri: string, local: string): boolean {
  const r = resolve(name, scope);
  return r !== null && r.uri === uri && r.local === local;
}

/** Every rdf:Description in the document, with its scope. */
export function descriptions(doc: XmlDocument): { el: XmlElement; scope: Scope }[] {
  const out: { el: XmlElement; scope: Scope }[] = [];
  const walk = (el: XmlElement, parent: Scope) => {
    const scope = scopeOf(el, parent);
    if (isName(el.name, scope, NS.rdf, "Description")) out.push({ el, scope });
    for (const c of elements(el)) walk(c, scope);
  };
  walk(doc.root, ROOT_SCOPE);
  return out;
}

/** The first rdf:RDF element and its scope, or null. */
export function rdfRoot(doc: XmlDocument): { el: XmlElement; scope: Scope } | null {
  const walk = (el: XmlElement, parent: Scope): { el: XmlElement; scope: Scope } | null => {
    const scope = scopeOf(el, parent);
    if (isName(el.name, scope, NS.rdf, "RDF")) return { el, scope };
    for (const c of elements(el)) {
      const found = walk(c, scope);
      if (found) return found;
    }
    return null;
  };
  return walk(doc.root, ROOT_SCOPE);
}

/** A property value: text, or the items of an rdf container (Alt: x-default first). */
export type PropertyValue = { kind: "text"; text: string } | { kind: "list"; items: string[] };

function propertyValue(el: XmlElement, parent: Scope): PropertyValue {
  const scope = scopeOf(el, parent);
  const kids = elements(el);
  const container = kids.find(
    (k) =>
      isName(k.name, scopeOf(k, scope), NS.rdf, "Bag") ||
      isName(k.name, scopeOf(k, scope), NS.rdf, "Seq") ||
      isName(k.name, scopeOf(k, scope), NS.rdf, "Alt"),
  );
  if (!container) return { kind: "text", text: textOf(el).trim() };
  const cs = scopeOf(container, scope);
  const lis = elements(container).filter((li) => isName(li.name, scopeOf(li, cs), NS.rdf, "li"));
  const isAlt = isName(container.name, cs, NS.rdf, "Alt");
  if (isAlt) {
    // The x-default language first, so "the" value of an Alt is items[0].
    lis.sort((a, b) => Number(isDefaultLang(b, cs)) - Number(isDefaultLang(a, cs)));
  }
  // An item's text is its value exactly (whitespace around the container is not inside it).
  return { kind: "list", items: lis.map((li) => textOf(li)) };
}

function isDefaultLang(li: XmlElement, scope: Scope): boolean {
  const s = scopeOf(li, scope);
  return li.attrs.some(([k, v]) => isName(k, s, NS.xml, "lang") && v === "x-default");
}

/** Every property of every rdf:Description, by `uri local`. A later one never overrides the first. */
export function properties(doc: XmlDocument): Map<string, PropertyValue> {
  const out = new Map<string, PropertyValue>();
  const put = (uri: string, local: string, v: PropertyValue) => {
    const key = `${uri} ${local}`;
    if (!out.has(key)) out.set(key, v);
  };
  for (const { el, scope } of descriptions(doc)) {
    for (const [k, v] of el.attrs) {
      if (k.startsWith("xmlns:") || k === "xmlns") continue;
      const r = resolve(k, scope);
      if (r && r.uri !== NS.rdf) put(r.uri, r.local, { kind: "text", text: v.trim() });
    }
    for (const child of elements(el)) {
      const r = resolve(child.name, scopeOf(child, scope));
      if (r) put(r.uri, r.local, propertyValue(child, scope));
    }
  }
  return out;
}
