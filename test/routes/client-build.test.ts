/** How the page's client code is split (spec U17): read from the imports, checked, built. */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildClient, clientGraph } from "../../src/routes/client-build.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});
function modules(files: Record<string, string>): string {
  const dir = tempDir("lenslet-client-");
  dirs.push(dir);
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
  return join(dir, "main.js");
}
const names = (s: Set<string>) => [...s].map((f) => basename(f)).sort();

describe("U17: the client's split", () => {
  test("U17: import() puts a module (and what only it uses) on demand; what it shares with the start is shared", () => {
    const g = clientGraph(
      modules({
        "main.js": `import "./a.js"; document.onclick = () => import("./lazy.js");`,
        "a.js": `export const a = 1;`,
        "lazy.js": `import { a } from "./a.js"; import { b } from "./b.js"; export const c = a + b;`,
        "b.js": `export const b = 2;`,
      }),
    );
    expect(names(g.start)).toEqual(["a.js", "main.js"]);
    expect(names(g.onDemand)).toEqual(["b.js", "lazy.js"]);
    expect(names(g.shared)).toEqual(["a.js"]);
  });

  test("U17: a module both imported at start and with import() fails the build", () => {
    expect(() =>
      clientGraph(
        modules({
          "main.js": `import "./a.js"; document.onclick = () => import("./a.js");`,
          "a.js": `export const a = 1;`,
        }),
      ),
    ).toThrow("a.js is imported at start and on demand");
  });

  test("U17: the page's build: compare, groups and zoom are their own files, not in bundle.js", async () => {
    const { files, graph } = await buildClient();
    expect(names(graph.onDemand)).toEqual([
      "compare-touch.js",
      "compare.js",
      "groups.js",
      "overlay.js",
      "zoom.js",
    ]);
    expect([...files.keys()].sort()).toEqual([
      "app.min.css",
      "bundle.js",
      "compare-touch.min.js",
      "compare.min.css",
      "compare.min.js",
      "groups.min.js",
      "overlay.min.js",
      "zoom.min.js",
    ]);
    const bundle = files.get("bundle.js")!.body;
    expect(bundle).toContain('import("/static/zoom.min.js")');
    expect(bundle).not.toContain("compare-frame");
    // They read the first load's modules from its registry, never a copy.
    expect(files.get("compare.min.js")!.body).toContain('__lensletModules["writes.js"]');
    expect(files.get("compare.min.js")!.body).toContain('from"/static/overlay.min.js"');
  });
});
