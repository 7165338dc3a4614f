/** EXIF facts, sort=taken, perceptual hashes and groups through the real server (M1–M3). */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import sharp from "sharp";
import { bursts, duplicates } from "../../src/groups/groups.ts";
import { captureTime } from "../../src/media/exif.ts";
import { dHash, halves, hamming } from "../../src/media/phash.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

const servers: TestLenslet[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.dispose();
});

function exiftool(...args: string[]) {
  const r = Bun.spawnSync(["exiftool", ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
}

/** A picture with structure (a gradient and a block), so its hash means something. */
async function picture(seed: number, w = 320, h = 240): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const v =
        (Math.sin((x + seed * 37) / (9 + seed)) + Math.cos((y * (seed + 1)) / 23)) * 60 + 128;
      raw[i] = v;
      raw[i + 1] = (x * seed) % 256;
      raw[i + 2] = (y * 3 + seed * 50) % 256;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe("EXIF (M1)", () => {
  test("M1: capture time with sub-seconds and offset; without an offset it counts as UTC", () => {
    expect(captureTime("2024:05:01 10:11:12", "345", "+02:00")).toEqual({
      taken: "2024-05-01T10:11:12.345+02:00",
      taken_ms: Date.parse("2024-05-01T08:11:12.345Z"),
    });
    expect(captureTime("2024:05:01 10:11:12")?.taken_ms).toBe(Date.parse("2024-05-01T10:11:12Z"));
    expect(captureTime("0000:00:00 00:00:00")).toBeNull();
    expect(captureTime(12)).toBeNull();
  });

  test("M1: GET /exif answers camera, lens, exposure, aperture, ISO, focal length, capture time; sort=taken orders by it", async () => {
    const s = await startTestLenslet(
      { "a.jpg": {}, "b.jpg": {}, "c.jpg": {} },
      { watch: false },
      (root) => {
        exiftool(
          "-q",
          "-overwrite_original",
          "-Make=Canon",
          "-Model=Canon EOS R5",
          "-LensModel=RF24-70mm F2.8 L IS USM",
          "-ExposureTime=1/250",
          "-FNumber=2.8",
          "-ISO=400",
          "-FocalLength=50",
          "-DateTimeOriginal=2024:05:01 10:11:12",
          "-OffsetTimeOriginal=+02:00",
          join(root, "a.jpg"),
        );
        exiftool(
          "-q",
          "-overwrite_original",
          "-DateTimeOriginal=2024:05:01 07:00:00",
          join(root, "b.jpg"),
        );
      },
    );
    servers.push(s);
    const r = await (await s.get("/exif?path=/a.jpg")).json();
    expect(r).toEqual({
      path: "/a.jpg",
      camera: "Canon EOS R5",
      lens: "RF24-70mm F2.8 L IS USM",
      exposure: 0.004,
      aperture: 2.8,
      iso: 400,
      focal: 50,
      taken: "2024-05-01T10:11:12+02:00",
      taken_ms: Date.parse("2024-05-01T08:11:12Z"),
    });
    expect((await (await s.get("/exif?path=/c.jpg")).json()).taken).toBeNull();
    expect((await s.get("/exif?path=/nope.jpg")).status).toBe(404);
    // Cached for the next start (like dims.json).
    await s.deps.exif.flush();
    expect(await Bun.file(join(s.deps.config.workspace, "exif.json")).exists()).toBe(true);
    // Sort by capture time: b (07:00Z), a (08:11Z), then c without one.
    const html = await (await s.get("/?sort=taken")).text();
    const order = [...html.matchAll(/data-path="([^"]+)"/g)].map((m) => m[1]);
    const firsts = order.filter((p, i) => order.indexOf(p) === i);
    expect(firsts.slice(0, 3)).toEqual(["/b.jpg", "/a.jpg", "/c.jpg"]);
  });
});

describe("hashes and groups (M2, M3)", () => {
  test("M2: dHash: a re-encoded, resized copy is within the threshold, a different picture is far", async () => {
    const a = await picture(1);
    const copy = await sharp(a).resize(200).jpeg({ quality: 50 }).toBuffer();
    const other = await picture(4);
    const [ha, hc, ho] = await Promise.all([dHash(a), dHash(copy), dHash(other)]);
    expect(ha).toMatch(/^[0-9a-f]{16}$/);
    expect(hamming(ha, hc)).toBeLessThanOrEqual(8);
    expect(hamming(ha, ho)).toBeGreaterThan(12);
    expect(halves("ffffffff00000001")).toEqual([0xffffffff, 1]);
  });

  test("M3: bursts: one camera's frames at most 2 s apart, frame to frame; other cameras apart", () => {
    const f = (path: string, t: number, camera: string | null = "X") => ({
      path,
      takenMs: t,
      camera,
    });
    expect(
      bursts([
        f("/a", 0),
        f("/b", 1500),
        f("/c", 3400),
        f("/d", 9000),
        f("/e", 9100),
        f("/f", 500, "Y"),
        f("/g", 20_000),
      ]),
    ).toEqual([
      ["/a", "/b", "/c"],
      ["/d", "/e"],
    ]);
  });

  test("M3: duplicates: every pair within the distance is found (against all pairs), joined transitively", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const items: { path: string; hi: number; lo: number }[] = [];
    for (let i = 0; i < 400; i++) {
      const base = { hi: rnd(), lo: rnd() };
      items.push({ path: `/${i}`, ...base });
      if (i % 5 === 0) {
        // A near copy: flip up to 6 random bits.
        let { hi, lo } = base;
        for (let k = 0; k < i % 7; k++) {
          const b = rnd() % 64;
          if (b < 32) hi = (hi ^ (1 << b)) >>> 0;
          else lo = (lo ^ (1 << (b - 32))) >>> 0;
        }
        items.push({ path: `/${i}-copy`, hi, lo });
      }
    }
    const groups = duplicates(items);
    const hex = (x: { hi: number; lo: number }) =>
      x.hi.toString(16).padStart(8, "0") + x.lo.toString(16).padStart(8, "0");
    const together = new Map<string, number>();
    groups.forEach((g, gi) => {
      for (const p of g) together.set(p, gi);
    });
    for (let i = 0; i < items.length; i++)
      for (let j = i + 1; j < items.length; j++) {
        if (hamming(hex(items[i]!), hex(items[j]!)) <= 8) {
          expect(together.get(items[i]!.path)).toBe(together.get(items[j]!.path)!);
        }
      }
    expect(groups.length).toBeGreaterThanOrEqual(80);
  });

  test("M2/M3: GET /groups: bursts from EXIF, duplicates once the background job hashed (progress in /health)", async () => {
    const pics = await Promise.all([picture(1), picture(4), picture(9)]);
    const copy = await sharp(pics[0]).resize(240).jpeg({ quality: 60 }).toBuffer();
    const s = await startTestLenslet(
      {
        "a.jpg": { bytes: pics[0] },
        "b.jpg": { bytes: pics[1] },
        "c.jpg": { bytes: pics[2] },
        "sub/a-copy.jpg": { bytes: copy },
      },
      { watch: false },
      (root) => {
        exiftool(
          "-q",
          "-overwrite_original",
          "-Model=Cam",
          "-DateTimeOriginal=2024:05:01 10:00:00",
          join(root, "a.jpg"),
        );
        exiftool(
          "-q",
          "-overwrite_original",
          "-Model=Cam",
          "-DateTimeOriginal=2024:05:01 10:00:01",
          join(root, "b.jpg"),
        );
        exiftool(
          "-q",
          "-overwrite_original",
          "-Model=Cam",
          "-DateTimeOriginal=2024:05:01 11:00:00",
          join(root, "c.jpg"),
        );
      },
    );
    servers.push(s);
    const b = await (await s.get("/groups?kind=burst")).json();
    expect(b.groups).toEqual([{ paths: ["/a.jpg", "/b.jpg"], count: 2 }]);
    const first = await (await s.get("/groups?kind=duplicate")).json();
    expect(first.threshold).toBe(8);
    const t0 = Date.now();
    let d = first;
    while (d.pending > 0) {
      if (Date.now() - t0 > 20_000) throw new Error("hash job did not finish");
      await new Promise((r) => setTimeout(r, 20));
      d = await (await s.get("/groups?kind=duplicate")).json();
    }
    expect(d.groups).toEqual([{ paths: ["/a.jpg", "/sub/a-copy.jpg"], count: 2 }]);
    const h = await (await s.get("/health")).json();
    expect(h.hashes).toMatchObject({ hashed: 4, total: 4 });
    expect((await s.get("/groups?kind=nope")).status).toBe(400);
    expect((await s.get("/groups?kind=burst&folder=/nope")).status).toBe(404);
  });
});
