/**
 * G12: no byte from outside the root, even when a name is swapped for a symlink
 * after indexing. HTTP through the real app, with the watcher on and off; the
 * outside image has its own bytes and size, so any leak shows.
 */
import { afterAll, describe, expect, test } from "bun:test";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { type RunningServer, startLenslet } from "../../src/server.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";
import { writeImage } from "./helpers.ts";

// Inside the root every image is 40×30; outside it is 97×61.
const IN = { width: 40, height: 30 };
const OUT = { width: 97, height: 61 };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

interface Site {
  root: string;
  outside: string;
  /** Bytes of the outside image (the secret). */
  secret: Buffer;
  inside: Buffer;
  server: RunningServer;
  warnings: string[];
  get(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * A gallery with, for each swap variant, an image that is indexed now:
 * `victim.jpg` (a), `alias.jpg` → `store/target.bin` (b), `sub/pic.jpg` (c),
 * plus `control.jpg` that nobody touches. Outside: `secret.jpg` and `dir/pic.jpg`.
 */
async function site(watch: boolean): Promise<Site> {
  const base = tempDir("lenslet-escape-");
  dirs.push(base);
  const root = join(base, "root");
  const outside = join(base, "outside");
  mkdirSync(join(outside, "dir"), { recursive: true });
  const secret = await writeImage(join(outside, "secret.jpg"), OUT.width, OUT.height, "jpeg", {
    seed: 666,
  });
  writeFileSync(join(outside, "dir", "pic.jpg"), secret);
  const inside = await writeImage(join(root, "victim.jpg"), IN.width, IN.height, "jpeg", {
    seed: 7,
  });
  for (const f of ["control.jpg", "sub/pic.jpg", "store/target.bin"]) {
    mkdirSync(join(root, f, ".."), { recursive: true });
    writeFileSync(join(root, f), inside);
  }
  symlinkSync("store/target.bin", join(root, "alias.jpg"));
  const warnings: string[] = [];
  const log = { info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const server = await startLenslet({ root, port: 0, watch }, { log });
  expect(server.deps.gallery.get("/alias.jpg")).toBeDefined();
  expect(server.deps.gallery.get("/sub/pic.jpg")).toBeDefined();
  return {
    root,
    outside,
    secret,
    inside,
    server,
    warnings,
    get: (path, init) => fetch(server.url + path, init),
  };
}

/** `ln -s TARGET .t && mv -T .t NAME`: one atomic rename puts the link in place. */
function swapForLink(target: string, name: string): void {
  const tmp = join(name, "..", `.swap-${Math.random().toString(36).slice(2)}`);
  symlinkSync(target, tmp);
  renameSync(tmp, name);
}

const variants: [string, string, (s: Site) => void][] = [
  [
    "(a) an indexed file replaced by a link to an outside file",
    "/victim.jpg",
    (s) => swapForLink(join(s.outside, "secret.jpg"), join(s.root, "victim.jpg")),
  ],
  [
    "(b) an in-root link whose target is later swapped for a link outside",
    "/alias.jpg",
    (s) => swapForLink(join(s.outside, "secret.jpg"), join(s.root, "store", "target.bin")),
  ],
  [
    "(c) an indexed folder swapped for a link to an outside folder",
    "/sub/pic.jpg",
    (s) => {
      renameSync(join(s.root, "sub"), join(s.root, ".sub-old"));
      swapForLink(join(s.outside, "dir"), join(s.root, "sub"));
    },
  ],
];

const q = (path: string) => `?path=${encodeURIComponent(path)}`;

/** Asks all four readers for `path`; each answer must be a 404 without a byte of the secret. */
async function expectRefused(s: Site, path: string): Promise<void> {
  const answers = {
    file: await s.get(`/file${q(path)}`),
    range: await s.get(`/file${q(path)}`, { headers: { Range: "bytes=0-99" } }),
    thumb: await s.get(`/thumb${q(path)}`),
    dims: await s.get(`/dims${q(path)}`),
  };
  for (const [what, res] of Object.entries(answers)) {
    const body = Buffer.from(await res.arrayBuffer());
    expect({ what, leaked: body.length > 0 && s.secret.includes(body) }).toEqual({
      what,
      leaked: false,
    });
    expect({ what, status: res.status }).toEqual({ what, status: 404 });
    const json = JSON.parse(body.toString());
    expect(json.error).toBe("not_found");
    // Nothing about where the link points.
    expect(body.toString()).not.toContain(s.outside);
  }
}

for (const watch of [true, false]) {
  describe(`G12: swapped symlinks never read outside the root (${watch ? "watcher on" : "watch: false"})`, () => {
    for (const [name, path, swap] of variants) {
      test(`G12: ${name} → /file, Range, /thumb, /dims answer 404`, async () => {
        const s = await site(watch);
        try {
          // The untouched file is served, so the server does read files.
          const control = await s.get(`/file${q("/control.jpg")}`);
          expect(Buffer.from(await control.arrayBuffer()).equals(s.inside)).toBe(true);
          swap(s);
          await expectRefused(s, path);
          // Asked again: still refused, and the warning was logged once, naming no outside path to the client.
          await expectRefused(s, path);
          if (s.server.deps.gallery.get(path)) {
            expect(s.warnings.filter((w) => w.includes("outside the gallery root"))).toHaveLength(
              1,
            );
          }
          expect((await s.get(`/thumb${q("/control.jpg")}`)).status).toBe(200);
        } finally {
          await s.server.stop();
        }
      });
    }
  });
}

describe("G12: the check holds at every read", () => {
  test("G12: a link swapped back and forth while 500 requests run: no answer carries outside bytes", async () => {
    for (const watch of [true, false]) {
      const s = await site(watch);
      const victim = join(s.root, "victim.jpg");
      const fresh = join(s.root, ".fresh.jpg");
      // The swapper is its own process, so swaps land between the server's system calls.
      const swapper = Bun.spawn(
        [
          process.execPath,
          "-e",
          `const fs = require("node:fs");
           const [victim, secret, inside, fresh, link] = process.argv.slice(1);
           const end = Date.now() + 20000;
           while (Date.now() < end) {
             fs.symlinkSync(secret, link);
             fs.renameSync(link, victim);
             fs.copyFileSync(inside, fresh);
             fs.renameSync(fresh, victim);
           }`,
          victim,
          join(s.outside, "secret.jpg"),
          join(s.root, "control.jpg"),
          fresh,
          join(s.root, ".link"),
        ],
        { stdout: "ignore", stderr: "pipe" },
      );
      const tally = { inside: 0, refused: 0, leaked: 0, other: 0 };
      const kinds = ["file", "range", "thumb", "dims"] as const;
      try {
        for (let i = 0; i < 500; i++) {
          const kind = kinds[i % kinds.length]!;
          const res =
            kind === "range"
              ? // The last bytes: JPEG headers of the same quality are alike, their ends are not.
                await s.get(`/file${q("/victim.jpg")}`, { headers: { Range: "bytes=-100" } })
              : await s.get(`/${kind}${q("/victim.jpg")}`);
          const body = Buffer.from(await res.arrayBuffer());
          const c = await classify(kind, res.status, body, s);
          tally[c]++;
        }
      } finally {
        swapper.kill();
        await swapper.exited;
        await s.server.stop();
      }
      expect({ watch, leaked: tally.leaked, other: tally.other }).toEqual({
        watch,
        leaked: 0,
        other: 0,
      });
      // The race really ran: both states were met.
      expect(tally.inside).toBeGreaterThan(0);
      expect(tally.refused).toBeGreaterThan(0);
    }
  }, 60_000);

  test("G12: no descriptor outlives its response: whole, ranged, streamed, aborted and refused reads", async () => {
    const s = await site(false);
    try {
      // Over 1 MiB, so the body is streamed from the descriptor.
      await writeImage(join(s.root, "big.png"), 1400, 1000, "png", { seed: 3 });
      s.server.deps.gallery.refresh(["/"]);
      const bigBytes = readFileSync(join(s.root, "big.png"));
      expect(bigBytes.length).toBeGreaterThan(1024 * 1024);
      const open = () => readdirSync("/proc/self/fd").length;
      // Warm up: sockets and caches that stay open anyway.
      await (await s.get(`/file${q("/big.png")}`)).arrayBuffer();
      await (await s.get(`/thumb${q("/control.jpg")}`)).arrayBuffer();
      const before = open();
      for (let i = 0; i < 20; i++) {
        const whole = await s.get(`/file${q("/big.png")}`);
        expect(Buffer.from(await whole.arrayBuffer()).equals(bigBytes)).toBe(true);
        await (await s.get(`/file${q("/control.jpg")}`, { method: "HEAD" })).arrayBuffer();
        await (
          await s.get(`/file${q("/big.png")}`, { headers: { Range: "bytes=100-1500000" } })
        ).arrayBuffer();
        await (await s.get(`/dims${q("/big.png")}`)).arrayBuffer();
        // The client goes away after the first chunk.
        const ac = new AbortController();
        const cut = await s.get(`/file${q("/big.png")}`, { signal: ac.signal });
        await cut.body!.getReader().read();
        ac.abort();
      }
      swapForLink(join(s.outside, "secret.jpg"), join(s.root, "victim.jpg"));
      for (let i = 0; i < 20; i++) {
        expect((await s.get(`/file${q("/victim.jpg")}`)).status).toBe(404);
        expect((await s.get(`/dims${q("/victim.jpg")}`)).status).toBe(404);
      }
      // Aborted streams are closed when the server notices: wait for it, within a bound.
      const deadline = Date.now() + 10_000;
      while (open() > before && Date.now() < deadline) await Bun.sleep(20);
      expect(open()).toBeLessThanOrEqual(before);
    } finally {
      await s.server.stop();
    }
  }, 60_000);
});

async function classify(
  kind: string,
  status: number,
  body: Buffer,
  s: Site,
): Promise<"inside" | "refused" | "leaked" | "other"> {
  if (status === 404) return "refused";
  if (kind === "file" || kind === "range") {
    if (body.length === 0) return "other";
    if (s.inside.includes(body)) return "inside";
    return s.secret.includes(body) ? "leaked" : "other";
  }
  if (kind === "dims") {
    const d = JSON.parse(body.toString());
    if (d.width === OUT.width) return "leaked";
    return d.width === IN.width && d.height === IN.height ? "inside" : "other";
  }
  if (status !== 200) return "other";
  const meta = await sharp(body).metadata();
  if (meta.width === OUT.width) return "leaked";
  return meta.width === IN.width && meta.height === IN.height ? "inside" : "other";
}
