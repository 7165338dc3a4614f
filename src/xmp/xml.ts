/**
 * A strict, small XML parser and serialiser for XMP packets (spec X3). No
 * XML library is installed, and XMP needs little: elements, attributes,
 * text, comments, CDATA, processing instructions (`<?xpacket …?>`) and the
 * five predefined entities plus character references. No DTDs, no other
 * entities: a packet using them is refused, never half-read. Anything that is
 * not well-formed (unclosed or crossed tags, a duplicate attribute, a stray
 * `<` or `&`, text after the root) throws XmlError, so a damaged sidecar is
 * skipped whole. The tree keeps every node in order, so a document we did
 * not write serialises back with all its content (X6 merge).
 */

export class XmlError extends Error {
  override name = "XmlError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

export interface XmlElement {
  kind: "element";
  /** Qualified name as written (`rdf:Description`). */
  name: string;
  /** In document order; names as written. */
  attrs: [string, string][];
  children: XmlNode[];
}

export type XmlNode =
  | XmlElement
  | { kind: "text"; text: string }
  | { kind: "cdata"; text: string }
  | { kind: "comment"; text: string }
  | { kind: "pi"; target: string; body: string };

export interface XmlDocument {
  /** Nodes before the root element (XML declaration, `<?xpacket begin?>`, comments). */
  prolog: XmlNode[];
  root: XmlElement;
  /** Nodes after it (`<?xpacket end?>`, padding whitespace). */
  epilog: XmlNode[];
}

/** Bounds that keep a hostile sidecar from costing much: XMP packets are kilobytes. */
const MAX_DEPTH = 64;
const MAX_NODES = 200_000;

const NAME_START = /[A-Za-z_:\u00C0-\uFFEF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFEF]/;

export function parseXml(input: string): XmlDocument {
  return new Parser(input).document();
}

class Parser {
  private i = 0;
  private nodes = 0;
  constructor(private readonly s: string) {
    // A byte order mark may lead the text.
    if (s.charCodeAt(0) === 0xfeff) this.i = 1;
  }

  document(): XmlDocument {
    const prolog = this.misc();
    if (this.s[this.i] !== "<") this.fail("expected the root element");
    const root = this.element(0);
    const epilog = this.misc();
    if (this.i < this.s.length) this.fail("content after the root element");
    return { prolog, root, epilog };
  }

  /** Whitespace, comments and processing instructions outside the root. */
  private misc(): XmlNode[] {
    const out: XmlNode[] = [];
    while (this.i < this.s.length) {
      const ws = this.whitespace();
      if (ws) out.push({ kind: "text", text: ws });
      if (this.s.startsWith("<?", this.i)) out.push(this.pi());
      else if (this.s.startsWith("<!--", this.i)) out.push(this.comment());
      else if (this.s.startsWith("<!", this.i)) this.fail("DTDs and declarations are not accepted");
      else break;
    }
    return out;
  }

  private whitespace(): string {
    const from = this.i;
    while (this.i < this.s.length && " \t\r\n".includes(this.s[this.i] as string)) this.i++;
    return this.s.slice(from, this.i);
  }

  private count(): void {
    if (++this.nodes > MAX_NODES) this.fail("too many nodes");
  }

  private element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) this.fail("elements nested too deep");
    this.count();
    this.expect("<");
    const name = this.name();
    const attrs: [string, string][] = [];
    const seen = new Set<string>();
    for (;;) {
      const ws = this.whitespace();
      const c = this.s[this.i];
      if (c === "/" || c === ">") break;
      if (!ws) this.fail("expected whitespace before an attribute");
      const an = this.name();
      if (seen.has(an)) this.fail(`duplicate attribute ${an}`);
      seen.add(an);
      this.whitespace();
      this.expect("=");
      this.whitespace();
      attrs.push([an, this.attrValue()]);
    }
    const el: XmlElement = { kind: "element", name, attrs, children: [] };
    if (this.s.startsWith("/>", this.i)) {
      this.i += 2;
      return el;
    }
    this.expect(">");
    for (;;) {
      if (this.i >= this.s.length) this.fail(`unclosed element ${name}`);
      if (this.s.startsWith("</", this.i)) {
        this.i += 2;
        const end = this.name();
        if (end !== name) this.fail(`</${end}> closes <${name}>`);
        this.whitespace();
        this.expect(">");
        return el;
      }
      if (this.s.startsWith("<!--", this.i)) el.children.push(this.comment());
      else if (this.s.startsWith("<![CDATA[", this.i)) el.children.push(this.cdata());
      else if (this.s.startsWith("<?", this.i)) el.children.push(this.pi());
      else if (this.s.startsWith("<!", this.i)) this.fail("declarations are not accepted");
      else if (this.s[this.i] === "<") el.children.push(this.element(depth + 1));
      else {
        this.count();
        el.children.push({ kind: "text", text: this.text("<") });
      }
    }
  }

  private name(): string {
    const from = this.i;
    if (!NAME_START.test(this.s[this.i] ?? "")) this.fail("expected a name");
    this.i++;
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i] as string)) this.i++;
    return this.s.slice(from, this.i);
  }

  private attrValue(): string {
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") this.fail("expected a quoted attribute value");
    this.i++;
    const v = this.text(q);
    this.expect(q);
    return v;
  }

  /** Character data up to `stop` (not consumed), with references decoded. */
  private text(stop: string): string {
    let out = "";
    let from = this.i;
    while (this.i < this.s.length && this.s[this.i] !== stop) {
      const c = this.s[this.i];
      if (c === "<") this.fail("'<' inside an attribute value");
      if (c === "&") {
        out += this.s.slice(from, this.i);
        out += this.reference();
        from = this.i;
        continue;
      }
      if (c === "]" && this.s.startsWith("]]>", this.i)) this.fail("']]>' in text");
      this.i++;
    }
    if (this.i >= this.s.length && stop !== "<") this.fail("unterminated attribute value");
    return out + this.s.slice(from, this.i);
  }

  private reference(): string {
    const end = this.s.indexOf(";", this.i);
    if (end < 0 || end - this.i > 12) this.fail("bad reference");
    const ref = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    switch (ref) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (!m) this.fail(`unknown entity &${ref};`);
    const code = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) this.fail(`character reference &${ref}; is not a character`);
    return String.fromCodePoint(code);
  }

  private comment(): XmlNode {
    this.count();
    const end = this.s.indexOf("-->", this.i + 4);
    if (end < 0) this.fail("unterminated comment");
    const text = this.s.slice(this.i + 4, end);
    if (text.includes("--")) this.fail("'--' inside a comment");
    this.i = end + 3;
    return { kind: "comment", text };
  }

  private cdata(): XmlNode {
    this.count();
    const end = this.s.indexOf("]]>", this.i + 9);
    if (end < 0) this.fail("unterminated CDATA");
    const text = this.s.slice(this.i + 9, end);
    this.i = end + 3;
    return { kind: "cdata", text };
  }

  private pi(): XmlNode {
    this.count();
    this.i += 2;
    const target = this.name();
    const end = this.s.indexOf("?>", this.i);
    if (end < 0) this.fail("unterminated processing instruction");
    const body = this.s.slice(this.i, end);
    this.i = end + 2;
    return { kind: "pi", target, body };
  }

  private expect(ch: string): void {
    if (this.s[this.i] !== ch) this.fail(`expected '${ch}'`);
    this.i++;
  }

  private fail(message: string): never {
    throw new XmlError(message, this.i);
  }
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) =>
    c === "&"
      ? "&amp;"
      : c === "<"
        ? "&lt;"
        : c === ">"
          ? "&gt;"
          : c === '"'
            ? "&quot;"
            : `&#${c.charCodeAt(0)};`,
  );
}

export function serializeNode(n: XmlNode): string {
  switch (n.kind) {
    case "text":
      return escapeText(n.text);
    case "cdata":
      return `<![CDATA[${n.text}]]>`;
    case "comment":
      return `<!--${n.text}-->`;
    case "pi":
      return `<?${n.target}${n.body}?>`;
    case "element": {
      const attrs = n.attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join("");
      if (n.children.length === 0) return `<${n.name}${attrs}/>`;
      return `<${n.name}${attrs}>${n.children.map(serializeNode).join("")}</${n.name}>`;
    }
  }
}

export function serializeXml(doc: XmlDocument): string {
  return [...doc.prolog, doc.root, ...doc.epilog].map(serializeNode).join("");
}

/** Element children only. */
export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.kind === "element");
}

/** The text content (text and CDATA, all descendants). */
export function textOf(el: XmlElement): string {
  let out = "";
  for (const c of el.children) {
    if (c.kind === "text" || c.kind === "cdata") out += c.text;
    else if (c.kind === "element") out += textOf(c);
  }
  return out;
}
