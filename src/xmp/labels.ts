/**
 * Lenslet labels ⇄ XMP (spec X3–X6). Pure: text in, text out.
 *
 * - Stars: `xmp:Rating` 0–5 (0 = unrated); `-1` is a reject (darktable, digiKam,
 *   Bridge), so a rejected image is written as -1 (its stars are not in the
 *   sidecar then) and -1 reads as flag reject. A pick has no standard XMP field
 *   and is not written.
 * - Colour: `xmp:Label` with Lightroom's default names (Red, Yellow, Green,
 *   Blue, Purple), read case-insensitively; other label names are no colour.
 * - Tags: a Lenslet tag `a|b` is the hierarchical keyword a › b.
 *   Written: `dc:subject` holds every level of every tag (what Lightroom writes
 *   for keywords with parents), `lr:hierarchicalSubject` every tag whole, and
 *   `digiKam:TagsList` (`a/b`) only when the sidecar already had one. Read:
 *   each `lr:hierarchicalSubject` (else `digiKam:TagsList`) entry is a tag, and
 *   each `dc:subject` entry that is not a level of one of those.
 * - Notes: `dc:description` (rdf:Alt, x-default).
 */
import type { ColorValue, FlagValue } from "../core/cull.ts";
import { COLORS } from "../core/cull.ts";
import {
  descriptions,
  isName,
  NS,
  type PropertyValue,
  properties,
  rdfRoot,
  type Scope,
  scopeOf,
} from "./rdf.ts";
import { parseXml, serializeXml, type XmlDocument, type XmlElement, type XmlNode } from "./xml.ts";

/** What Lenslet reads from, and writes to, an XMP packet. */
export interface XmpLabels {
  star: number | null;
  flag: FlagValue | null;
  color: ColorValue | null;
  tags: string[];
  notes: string;
}

export class XmpShapeError extends Error {
  override name = "XmpShapeError";
}

const prop = (m: Map<string, PropertyValue>, uri: string, local: string) =>
  m.get(`${uri} ${local}`);

const listOf = (v: PropertyValue | undefined): string[] =>
  v === undefined
    ? []
    : (v.kind === "list" ? v.items : v.text === "" ? [] : [v.text]).filter((s) => s !== "");

/** The labels an XMP packet holds. Throws XmlError / XmpShapeError for one that is not XMP. */
export function labelsFromXmp(text: string): XmpLabels {
  const doc = parseXml(text);
  if (!rdfRoot(doc)) throw new XmpShapeError("no rdf:RDF element");
  const p = properties(doc);

  let star: number | null = null;
  let flag: FlagValue | null = null;
  const rating = prop(p, NS.xmp, "Rating");
  if (rating) {
    const n = Number(rating.kind === "text" ? rating.text : rating.items[0]);
    if (n === -1) flag = "reject";
    else if (Number.isFinite(n) && n >= 0 && n <= 5) star = Math.round(n) || null;
  }

  const label = prop(p, NS.xmp, "Label");
  const labelText = (label?.kind === "text" ? label.text : (label?.items[0] ?? "")).toLowerCase();
  const color = (COLORS as readonly string[]).includes(labelText)
    ? (labelText as ColorValue)
    : null;

  const hier = listOf(prop(p, NS.lr, "hierarchicalSubject"));
  const fromDigiKam = listOf(prop(p, NS.digiKam, "TagsList")).map((t) => t.split("/").join("|"));
  const whole = hier.length > 0 ? hier : fromDigiKam;
  const levels = new Set(whole.flatMap((t) => t.split("|")));
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const t of [...whole, ...listOf(prop(p, NS.dc, "subject")).filter((s) => !levels.has(s))]) {
    const tag = t.trim();
    if (tag !== "" && !seen.has(tag)) {
      seen.add(tag);
      tags.push(tag);
    }
  }

  const notes = listOf(prop(p, NS.dc, "description"))[0] ?? "";
  return { star, flag, color, tags, notes };
}

/** True when there is nothing to seed from (an empty or foreign packet). */
export function isEmptyLabels(l: XmpLabels): boolean {
  return (
    l.star === null && l.flag === null && l.color === null && l.tags.length === 0 && l.notes === ""
  );
}

/** The properties Lenslet owns in a sidecar: replaced on every write, wherever they were. */
const OWNED: [string, string][] = [
  [NS.xmp, "Rating"],
  [NS.xmp, "Label"],
  [NS.dc, "subject"],
  [NS.dc, "description"],
  [NS.lr, "hierarchicalSubject"],
  [NS.digiKam, "TagsList"],
];
const isOwned = (name: string, scope: Scope) =>
  OWNED.some(([uri, local]) => isName(name, scope, uri, local));

const PACKET_ID = "W5M0MpCehiHzreSzNTczkc9d";

function skeleton(toolkit: string): XmlDocument {
  return parseXml(
    `<?xpacket begin="\uFEFF" id="${PACKET_ID}"?>\n` +
      `<x:xmpmeta xmlns:x="${NS.x}" x:xmptk="${toolkit}">\n` +
      ` <rdf:RDF xmlns:rdf="${NS.rdf}">\n` +
      `  <rdf:Description rdf:about=""/>\n` +
      " </rdf:RDF>\n" +
      "</x:xmpmeta>\n" +
      `<?xpacket end="w"?>`,
  );
}

/**
 * The sidecar text holding `labels`: `existing` (a sidecar another tool or an
 * earlier write made) with Lenslet's properties replaced and everything else
 * kept, or a new packet. Throws XmlError / XmpShapeError when `existing` is
 * not XMP: it is then left alone rather than overwritten.
 */
export function mergeLabelsIntoXmp(
  existing: string | null,
  labels: XmpLabels,
  toolkit = "Lenslet",
): string {
  const doc = existing === null || existing.trim() === "" ? skeleton(toolkit) : parseXml(existing);
  const rdf = rdfRoot(doc);
  if (!rdf) throw new XmpShapeError("no rdf:RDF element");
  let hadTagsList = false;
  const descs = descriptions(doc);
  const kept: typeof descs = [];
  for (const d of descs) {
    const { el, scope } = d;
    const before = el.attrs.length + el.children.length;
    el.attrs = el.attrs.filter(([k]) => !isOwned(k, scope));
    el.children = el.children.filter((c) => {
      if (c.kind !== "element") return true;
      const s = scopeOf(c, scope);
      if (isName(c.name, s, NS.digiKam, "TagsList")) hadTagsList = true;
      return !isOwned(c.name, s);
    });
    if (el.attrs.length + el.children.length === before) {
      kept.push(d);
      continue;
    }
    dropBlankRuns(el);
    // A description that held only Lenslet's properties goes with them (but the first stays: it is the target).
    if (d !== descs[0] && !hasProperties(el, scope)) removeElement(doc.root, el);
    else kept.push(d);
  }
  let target = kept[0];
  if (!target) {
    const el: XmlElement = {
      kind: "element",
      name: `${prefixIn(rdf.scope, NS.rdf)}:Description`,
      attrs: [[`${prefixIn(rdf.scope, NS.rdf)}:about`, ""]],
      children: [],
    };
    rdf.el.children.push(el, { kind: "text", text: "\n" });
    target = { el, scope: rdf.scope };
  }
  const { el } = target;
  trimTrailingBlank(el);
  let scope = target.scope;
  const bind = (uri: string, preferred: string): string => {
    for (const [p, u] of scope) if (u === uri) return p;
    let name = preferred;
    for (let n = 2; scope.has(name); n++) name = `${preferred}${n}`;
    el.attrs.push([`xmlns:${name}`, uri]);
    scope = scopeOf(el, target.scope);
    return name;
  };
  const rdfP = bind(NS.rdf, "rdf");
  const indent = "\n   ";
  const add = (node: XmlElement) => el.children.push({ kind: "text", text: indent }, node);
  const leaf = (name: string, text: string): XmlElement => ({
    kind: "element",
    name,
    attrs: [],
    children: [{ kind: "text", text }],
  });
  const container = (name: string, kind: "Bag" | "Seq" | "Alt", items: XmlElement[]) => ({
    kind: "element" as const,
    name,
    attrs: [],
    children: [
      { kind: "text" as const, text: `${indent} ` },
      {
        kind: "element" as const,
        name: `${rdfP}:${kind}`,
        attrs: [],
        children: [
          ...items.flatMap((li): XmlNode[] => [{ kind: "text", text: `${indent}  ` }, li]),
          { kind: "text" as const, text: `${indent} ` },
        ],
      },
      { kind: "text" as const, text: indent },
    ],
  });
  const li = (text: string, attrs: [string, string][] = []): XmlElement => ({
    ...leaf(`${rdfP}:li`, text),
    attrs,
  });

  const xmpP = bind(NS.xmp, "xmp");
  const rating = labels.flag === "reject" ? -1 : (labels.star ?? 0);
  add(leaf(`${xmpP}:Rating`, String(rating)));
  if (labels.color) {
    add(leaf(`${xmpP}:Label`, labels.color[0].toUpperCase() + labels.color.slice(1)));
  }
  if (labels.tags.length > 0) {
    const dcP = bind(NS.dc, "dc");
    const levels = [...new Set(labels.tags.flatMap((t) => t.split("|")).filter((s) => s !== ""))];
    add(
      container(
        `${dcP}:subject`,
        "Bag",
        levels.map((t) => li(t)),
      ),
    );
    const lrP = bind(NS.lr, "lr");
    add(
      container(
        `${lrP}:hierarchicalSubject`,
        "Bag",
        labels.tags.map((t) => li(t)),
      ),
    );
    if (hadTagsList) {
      const dkP = bind(NS.digiKam, "digiKam");
      const paths = labels.tags.map((t) => li(t.split("|").join("/")));
      add(container(`${dkP}:TagsList`, "Seq", paths));
    }
  }
  if (labels.notes !== "") {
    const dcP = bind(NS.dc, "dc");
    add(container(`${dcP}:description`, "Alt", [li(labels.notes, [["xml:lang", "x-default"]])]));
  }
  el.children.push({ kind: "text", text: "\n  " });
  return serializeXml(doc);
}

/** A prefix bound to `uri` in scope (the RDF root always binds rdf). */
function prefixIn(scope: Scope, uri: string): string {
  for (const [p, u] of scope) if (u === uri) return p;
  return "rdf";
}

const isBlank = (n: XmlNode | undefined) => n?.kind === "text" && n.text.trim() === "";

/** Whitespace-only text between removed properties collapses, so rewrites do not grow blank lines. */
function dropBlankRuns(el: XmlElement): void {
  const out: XmlNode[] = [];
  for (const c of el.children) {
    if (isBlank(c) && isBlank(out[out.length - 1])) continue;
    out.push(c);
  }
  el.children = out;
}

/** The writer adds its own line break before the closing tag. */
function trimTrailingBlank(el: XmlElement): void {
  while (isBlank(el.children[el.children.length - 1])) el.children.pop();
}

/** Any property left: an attribute that is not rdf:about / xmlns, or an element child. */
function hasProperties(el: XmlElement, scope: Scope): boolean {
  if (el.children.some((c) => c.kind === "element")) return true;
  const s = scopeOf(el, scope);
  return el.attrs.some(([k]) => !k.startsWith("xmlns") && !isName(k, s, NS.rdf, "about"));
}

function removeElement(parent: XmlElement, target: XmlElement): boolean {
  const i = parent.children.indexOf(target);
  if (i >= 0) {
    // With the blank text before it, so no empty line is left.
    const from = isBlank(parent.children[i - 1]) ? i - 1 : i;
    parent.children.splice(from, i - from + 1);
    return true;
  }
  return parent.children.some((c) => c.kind === "element" && removeElement(c, target));
}
