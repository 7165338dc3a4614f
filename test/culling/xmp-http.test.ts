/**
 * XMP in and out through the real server (X1, X2, X4, X5), read back with
 * exiftool and unzip, the tools other photo software agrees with.
 */
import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { mergeLabelsIntoXmp } from "../../src/xmp/labels.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { tempDir } from "../helpers/tree.ts";

const servers: TestLenslet[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    // A read-only folder must be writable again for the cleanup.
    fs.chmodSync(s.root, 0o755);
    await s.dispose();
  }
});

async function start(files: Record<string, unknown>, opts = {}, prepare?: (root: string) => void) {
  const s = await startTestLenslet(files as never, { watch: false, ...opts }, prepare);
  servers.push(s);
  return s;
}

function exiftool(...args: string[]): string {
  const r = Bun.spawnSync(["exiftool", ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString();
}

async function until<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  what: string,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function patch(s: TestLenslet, path: string, body: Record<string, unknown>) {
  const r = await s.get(`/item?path=${encodeURIComponent(path)}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const item = async (s: TestLenslet, path: string) =>
  (await (await s.get(`/item?path=${encodeURIComponent(path)}`)).json()) as Record<string, unknown>;

describe("XMP in (X1, X2)", () => {
  test("X1/X2: sidecars of both names and embedded XMP seed labels once (before GET /item answers), through the store, saying where from", async () => {
    const s = await start(
      { "a.jpg": {}, "b.jpg": {}, "c.jpg": {}, "d.jpg": {}, "e.jpg": {} },
      {},
      (root) => {
        exiftool(
          "-q",
          "-o",
          join(root, "a.jpg.xmp"),
          "-Rating=4",
          "-Label=Red",
          "-Subject=cat",
          "-HierarchicalSubject=place|paris",
          "-Description=from digiKam",
        );
        exiftool("-q", "-o", join(root, "b.xmp"), "-Rating=-1", "-Label=Purple");
        // Embedded in the image itself (read when the image is first looked at).
        exiftool(
          "-q",
          "-overwrite_original",
          "-XMP:Rating=2",
          "-XMP:Subject=inside",
          join(root, "c.jpg"),
        );
        fs.writeFileSync(join(root, "d.jpg.xmp"), "<x:xmpmeta><rdf:RDF>not closed");
      },
    );
    const a = await until(async () => {
      const r = await item(s, "/a.jpg");
      return r.version === 2 ? r : undefined;
    }, "a.jpg seeded");
    expect(a).toMatchObject({
      star: 4,
      color: "red",
      tags: ["place|paris", "cat"],
      notes: "from digiKam",
      updated_by: "XMP sidecar",
    });
    expect(await item(s, "/b.jpg")).toMatchObject({
      star: null,
      flag: "reject",
      color: "purple",
      updated_by: "XMP sidecar",
    });
    expect(await item(s, "/c.jpg")).toMatchObject({
      star: 2,
      tags: ["inside"],
      updated_by: "XMP in image",
    });
    // Malformed: skipped and counted, not fatal; nothing seeded.
    expect(await item(s, "/d.jpg")).toMatchObject({ version: 1, star: null });
    expect(await item(s, "/e.jpg")).toMatchObject({ version: 1 });
    const health = await (await s.get("/health")).json();
    expect(health.xmp.seed.malformed).toBe(1);
    expect(health.xmp.seed.seeded).toBe(3);
    // Once: a label changed in Lenslet is never overwritten by the sidecar again, also after a restart.
    expect((await patch(s, "/a.jpg", { base_version: 2, set_star: 1 })).status).toBe(200);
    await s.stop();
    const same = await (await import("../../src/server.ts")).startLenslet(
      { port: 0, root: s.root, watch: false },
      { log: { info() {}, warn() {}, error() {} } },
    );
    try {
      const r = (await (await fetch(`${same.url}/item?path=/a.jpg`)).json()) as Record<
        string,
        unknown
      >;
      expect(r).toMatchObject({ star: 1, version: 3 });
    } finally {
      await same.stop();
    }
  });

  test("X1: a sidecar that is a symlink leaving the root is not read", async () => {
    const outside = tempDir("lenslet-outside-");
    fs.writeFileSync(
      join(outside, "secret.xmp"),
      mergeLabelsIntoXmp(null, { star: 5, flag: null, color: null, tags: ["leak"], notes: "" }),
    );
    const s = await start({ "a.jpg": {} }, {}, (root) =>
      fs.symlinkSync(join(outside, "secret.xmp"), join(root, "a.jpg.xmp")),
    );
    expect(await item(s, "/a.jpg")).toMatchObject({ version: 1, tags: [] });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test("X1: --xmp off reads nothing", async () => {
    const s = await start({ "a.jpg": {} }, { xmp: "off" }, (root) =>
      exiftool("-q", "-o", join(root, "a.jpg.xmp"), "-Rating=4"),
    );
    expect(await item(s, "/a.jpg")).toMatchObject({ version: 1 });
    expect((await (await s.get("/health")).json()).xmp).toMatchObject({
      mode: "off",
      seed: null,
      write: null,
    });
  });
});

describe("XMP out (X4, X5)", () => {
  test("X4: --xmp write keeps a sidecar in step that exiftool reads, merging into the one there", async () => {
    const s = await start({ "a.jpg": {}, "b.png": { format: "png" } }, { xmp: "write" }, (root) =>
      exiftool(
        "-q",
        "-o",
        join(root, "a.jpg.xmp"),
        "-Creator=Ana",
        "-XMP-photoshop:City=Paris",
        "-Rating=1",
      ),
    );
    // The existing sidecar seeded a.jpg (Rating 1).
    await until(async () => ((await item(s, "/a.jpg")).version === 2 ? true : undefined), "seeded");
    const imageBefore = fs.readFileSync(join(s.root, "a.jpg"));
    expect(
      (
        await patch(s, "/a.jpg", {
          base_version: 2,
          set_star: 5,
          set_color: "green",
          set_tags: ["x|y"],
          set_notes: "sharp",
        })
      ).status,
    ).toBe(200);
    await until(
      () => ((s.deps.xmpWriter?.health().written ?? 0) >= 1 ? true : undefined),
      "sidecar written",
    );
    await s.deps.xmpWriter?.idle();
    const got = JSON.parse(exiftool("-j", "-struct", "-XMP:all", join(s.root, "a.jpg.xmp")))[0];
    expect(got).toMatchObject({
      Rating: 5,
      Label: "Green",
      Subject: ["x", "y"],
      HierarchicalSubject: ["x|y"],
      Description: "sharp",
      Creator: ["Ana"],
      City: "Paris",
    });
    // The image itself is never written.
    expect(fs.readFileSync(join(s.root, "a.jpg")).equals(imageBefore)).toBe(true);
    // Several changes in a row end as the last one.
    let v = 1;
    for (const star of [1, 2, 3]) {
      const r = await patch(s, "/b.png", { base_version: v, set_star: star });
      v = r.body.version as number;
    }
    await until(async () => {
      await s.deps.xmpWriter?.idle();
      const f = join(s.root, "b.png.xmp");
      return fs.existsSync(f) && JSON.parse(exiftool("-j", "-XMP:Rating", f))[0].Rating === 3
        ? true
        : undefined;
    }, "b.png.xmp at the last rating");
  });

  test("X4: --xmp-style base names sidecars image.xmp", async () => {
    const s = await start({ "a.jpg": {} }, { xmp: "write", xmpStyle: "base" });
    await patch(s, "/a.jpg", { base_version: 1, set_flag: "reject" });
    await until(async () => {
      await s.deps.xmpWriter?.idle();
      return fs.existsSync(join(s.root, "a.xmp")) ? true : undefined;
    }, "a.xmp");
    expect(JSON.parse(exiftool("-j", "-XMP:Rating", join(s.root, "a.xmp")))[0].Rating).toBe(-1);
    expect(fs.existsSync(join(s.root, "a.jpg.xmp"))).toBe(false);
  });

  test("X4: a folder Lenslet cannot write: the label write is saved anyway and /health says why", async () => {
    // Tests run as root, which ignores permissions: the sidecar's name is taken by a folder
    // instead, which no rename can replace, a failure as real as a read-only folder.
    const ws = tempDir("lenslet-ws-");
    const s = await start({ "a.jpg": {} }, { xmp: "write", workspace: ws }, (root) => {
      fs.mkdirSync(join(root, "a.jpg.xmp"));
      fs.writeFileSync(join(root, "a.jpg.xmp", "keep"), "x");
    });
    const r = await patch(s, "/a.jpg", { base_version: 1, set_star: 4 });
    expect(r.status).toBe(200);
    expect(r.body.persistence).toBe("saved");
    const health = await until(async () => {
      const h = await (await s.get("/health")).json();
      return h.xmp.write.failed > 0 ? h : undefined;
    }, "failure reported");
    expect(health.xmp.write.last_error).toContain("a.jpg.xmp");
    expect(health.labels.state).toBe("saved");
    fs.rmSync(ws, { recursive: true, force: true });
  });

  test("X5: GET /export/xmp and POST /export/xmp answer a zip of sidecars unzip and exiftool read", async () => {
    const s = await start({ "a.jpg": {}, "sub/b.jpg": {}, "sub/c.jpg": {} });
    await patch(s, "/a.jpg", { base_version: 1, set_star: 3, set_tags: ["t"] });
    await patch(s, "/sub/b.jpg", { base_version: 1, set_color: "blue" });
    const res = await s.get("/export/xmp?path=/&recursive=1");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const dir = tempDir("lenslet-unzip-");
    fs.writeFileSync(join(dir, "x.zip"), new Uint8Array(await res.arrayBuffer()));
    const test = Bun.spawnSync(["unzip", "-t", join(dir, "x.zip")], { stdout: "pipe" });
    expect(test.exitCode).toBe(0);
    Bun.spawnSync(["unzip", "-q", join(dir, "x.zip"), "-d", join(dir, "out")]);
    const got = JSON.parse(
      exiftool(
        "-j",
        "-struct",
        "-XMP:Rating",
        "-XMP:Label",
        "-XMP:Subject",
        "-r",
        "-ext",
        "xmp",
        join(dir, "out"),
      ),
    ) as { SourceFile: string; Rating?: number; Label?: string; Subject?: string[] }[];
    const by = Object.fromEntries(got.map((g) => [g.SourceFile.slice(join(dir, "out").length), g]));
    expect(Object.keys(by).sort()).toEqual(["/a.jpg.xmp", "/sub/b.jpg.xmp", "/sub/c.jpg.xmp"]);
    expect(by["/a.jpg.xmp"]).toMatchObject({ Rating: 3, Subject: ["t"] });
    expect(by["/sub/b.jpg.xmp"]).toMatchObject({ Rating: 0, Label: "Blue" });
    // Nothing was written beside the images (they may be read-only).
    expect(fs.readdirSync(s.root).filter((n) => n.endsWith(".xmp"))).toEqual([]);
    const sel = await s.get("/export/xmp", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ paths: ["/sub/b.jpg", "sub/b.jpg", "/nope.jpg"], style: "base" }),
    });
    fs.writeFileSync(join(dir, "y.zip"), new Uint8Array(await sel.arrayBuffer()));
    const list = Bun.spawnSync(["unzip", "-Z1", join(dir, "y.zip")], {
      stdout: "pipe",
    }).stdout.toString();
    expect(list.trim().split("\n")).toEqual(["sub/b.xmp"]);
    const bad = await s.get("/export/xmp?path=/nowhere");
    expect(bad.status).toBe(404);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("XMP out stays inside the root (X4)", () => {
  test("X4: a folder swapped for a link to outside after indexing gets no sidecar; the label is saved", async () => {
    const outside = tempDir("lenslet-outside-");
    const s = await start({ "sub/a.jpg": {} }, { xmp: "write" });
    // Swap the indexed folder for a link to a folder outside, holding a file of the same name.
    fs.renameSync(join(s.root, "sub"), join(s.root, "sub-moved"));
    fs.copyFileSync(join(s.root, "sub-moved", "a.jpg"), join(outside, "a.jpg"));
    fs.symlinkSync(outside, join(s.root, "sub"));
    const r = await patch(s, "/sub/a.jpg", { base_version: 1, set_star: 2 });
    expect(r.status).toBe(200);
    await until(() => ((s.deps.xmpWriter?.health().failed ?? 0) > 0 ? true : undefined), "refusal");
    expect(fs.existsSync(join(outside, "a.jpg.xmp"))).toBe(false);
    expect(s.deps.xmpWriter?.health().last_error).toContain("outside the gallery root");
    fs.rmSync(outside, { recursive: true, force: true });
  });
});
