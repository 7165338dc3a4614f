/** The strict XML subset parser for XMP (X3): round trips, refusals, and fuzzing with fast-check. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { labelsFromXmp, mergeLabelsIntoXmp } from "../../src/xmp/labels.ts";
import {
  parseXml,
  serializeNode,
  serializeXml,
  type XmlElement,
  XmlError,
  type XmlNode,
} from "../../src/xmp/xml.ts";

const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,6}(:[a-zA-Z_][a-zA-Z0-9_-]{0,6})?$/);
// Any text a label may hold, including markup characters and non-Latin letters.
const text = fc.string({
  unit: fc.constantFrom("a", "Z", " ", "<", ">", "&", '"', "'", "\n", "é", "東", "]", "|", "/"),
  maxLength: 12,
});

const element: fc.Arbitrary<XmlElement> = fc.letrec((tie) => ({
  el: fc.record({
    kind: fc.constant("element" as const),
    name,
    attrs: fc.uniqueArray(fc.tuple(name, text), { selector: (a) => a[0], maxLength: 3 }),
    children: fc.array(tie("node") as fc.Arbitrary<XmlNode>, {
      maxLength: 4,
      depthIdentifier: "d",
    }),
  }),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("text" as const), text: text.filter((t) => t !== "") }),
    fc.record({ kind: fc.constant("comment" as const), text: fc.stringMatching(/^[a-z ]{0,8}$/) }),
    tie("el"),
  ),
})).el as fc.Arbitrary<XmlElement>;

/** Adjacent text nodes merge when parsed: compare through one serialisation. */
const normal = (el: XmlElement) => serializeNode(parseXml(serializeNode(el)).root);

describe("XML subset (X3)", () => {
  test("X3: any tree serialises to text that parses back to the same tree", () => {
    fc.assert(
      fc.property(element, (el) => {
        const once = normal(el);
        expect(serializeNode(parseXml(once).root)).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  test("X3: arbitrary text either parses or throws XmlError, never anything else", () => {
    const markup = fc.string({
      unit: fc.constantFrom(
        "<",
        ">",
        "/",
        "a",
        ":",
        "=",
        '"',
        "'",
        "&",
        ";",
        "#",
        "!",
        "?",
        "-",
        " ",
        "[",
        "]",
        "x",
      ),
      maxLength: 40,
    });
    fc.assert(
      fc.property(markup, (s) => {
        try {
          parseXml(s);
        } catch (err) {
          expect(err).toBeInstanceOf(XmlError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("X3: every cut of a real packet is refused or read without labels leaking in from nowhere", () => {
    const full = mergeLabelsIntoXmp(null, {
      star: 3,
      flag: null,
      color: "green",
      tags: ["a|b", "c"],
      notes: "n",
    });
    for (let cut = 0; cut < full.length; cut++) {
      try {
        const l = labelsFromXmp(full.slice(0, cut));
        // A cut that still parses can only lose labels, never invent them.
        expect([null, 3]).toContain(l.star);
      } catch (err) {
        expect(["XmlError", "XmpShapeError"]).toContain((err as Error).name);
      }
    }
  });

  test("X3: DTDs, unknown entities, crossed or unclosed tags, duplicate attributes, text after the root are refused", () => {
    for (const bad of [
      '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',
      "<x>&nbsp;</x>",
      "<a><b></a></b>",
      "<a>",
      '<a x="1" x="2"/>',
      "<a/>trailing",
      "<a>&#0;</a>",
      '<a x="<"/>',
      "<a>]]></a>",
      "",
    ]) {
      expect(() => parseXml(bad)).toThrow(XmlError);
    }
  });

  test("X3: references, CDATA, comments and processing instructions are read and kept", () => {
    const src = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<!-- c --><a t="&lt;&#x41;&#66;">x<![CDATA[<y>]]><?pi z?></a>\n<?xpacket end="w"?>`;
    const doc = parseXml(src);
    expect(doc.root.attrs).toEqual([["t", "<AB"]]);
    expect(doc.prolog.map((n) => n.kind)).toEqual(["pi", "text", "comment"]);
    expect(parseXml(serializeXml(doc))).toEqual(doc);
  });

  test("X3: nesting deeper than 64 is refused (a hostile sidecar costs little)", () => {
    expect(() => parseXml(`${"<a>".repeat(100)}${"</a>".repeat(100)}`)).toThrow(/too deep/);
  });
});
