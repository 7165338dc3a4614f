/**
 * /health answers for the request that asks, and the page shows the same
 * decision. Real servers; a "remote" peer is a network namespace of this machine
 * (test/helpers/netns.ts) reaching Lenslet, which listens on 0.0.0.0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Window } from "happy-dom";
import { HealthResponse } from "../../src/routes/openapi/health.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { makeRemoteHost, type RemoteHost } from "../helpers/netns.ts";

const files = { "a.jpg": {}, "sub/b.jpg": {} };
let local: TestLenslet;
let lan: TestLenslet;
let memory: TestLenslet;
let remote: RemoteHost;

beforeAll(async () => {
  // Before the 0.0.0.0 server starts, so its interface addresses include the link.
  remote = makeRemoteHost();
  local = await startTestLenslet(files);
  lan = await startTestLenslet(files, { host: "0.0.0.0", access: "local" });
  memory = await startTestLenslet(files, { write: false });
});
afterAll(async () => {
  await Promise.all([local.dispose(), lan.dispose(), memory.dispose()]);
  remote.dispose();
});

async function health(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/health`, { headers });
  expect(res.status).toBe(200);
  return HealthResponse.parse(await res.json());
}

const lanUrl = () => `http://${remote.hostAddr}:${lan.port}`;

function remoteGet(path: string): Promise<{ status: number; body: string }> {
  return remote.request(`${lanUrl()}${path}`);
}

function dom(html: string) {
  const w = new Window({ url: "http://localhost/" });
  w.document.write(html);
  return w.document;
}

describe("/health.labels.enabled (H3)", () => {
  test("H3: true when labels persist, false under --no-write (memory only), beside the richer fields", async () => {
    const on = await health(local.url);
    expect(on.labels).toMatchObject({ enabled: true, durability: "strict", state: "saved" });
    const off = await health(memory.url);
    expect(off.labels).toMatchObject({ enabled: false, durability: "memory", state: "disabled" });
  });
});

describe("/health.gallery.stats_ready (H6)", () => {
  test("H6: true once every file's size and date is known (the background pass after start)", async () => {
    await local.deps.gallery.statsReady;
    expect((await health(local.url)).gallery.stats_ready).toBe(true);
  });
});

describe("/health.can_write for the asker (H4)", () => {
  test("H4: a local script (no Origin) and a page of this Lenslet may write", async () => {
    const plain = await health(local.url);
    expect(plain).toMatchObject({ can_write: true, write_refusal: null });
    const page = await health(local.url, { Referer: `${local.url}/?folder=/sub` });
    expect(page).toMatchObject({ can_write: true, write_refusal: null });
  });

  test("H4: a page on another origin is told it cannot write, with the reason its writes get", async () => {
    const h = await health(local.url, { Origin: "http://evil.example" });
    expect(h.can_write).toBe(false);
    expect(h.write_refusal).toContain("http://evil.example");
    const otherPort = await health(local.url, { Referer: "http://127.0.0.1:1/" });
    expect(otherPort.can_write).toBe(false);
    // The same decision the write itself meets.
    const w = await fetch(`${local.url}/item?path=/a.jpg`, {
      method: "PATCH",
      headers: {
        Origin: "http://evil.example",
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
      },
      body: JSON.stringify({ base_version: 1, set_star: 2 }),
    });
    expect(w.status).toBe(403);
    expect(((await w.json()) as { message: string }).message).toBe(h.write_refusal!);
  });

  test("H4: a remote peer is told it cannot write (without --allow-remote-writes)", async () => {
    const res = await remoteGet("/health");
    expect(res.status).toBe(200);
    const fromThere = HealthResponse.parse(JSON.parse(res.body));
    expect(fromThere.can_write).toBe(false);
    expect(fromThere.write_refusal).toContain(`request from ${remote.peerAddr}`);
    const fromHere = await health(lan.url);
    expect(fromHere.can_write).toBe(true);
  });

  test("H4: --no-write says false, with the reason", async () => {
    const h = await health(memory.url);
    expect(h.can_write).toBe(false);
    expect(h.write_refusal).toContain("--no-write");
  });

  test("H4: --allow-remote-writes lifts the origin rule for can_write too", async () => {
    const open = await startTestLenslet(files, { allowRemoteWrites: true });
    try {
      expect(await health(open.url, { Origin: "http://evil.example" })).toMatchObject({
        can_write: true,
        write_refusal: null,
      });
    } finally {
      await open.dispose();
    }
  });
});

describe("the page shows the same per-request decision (H4)", () => {
  test("H4: a page served to a remote peer says its edits will not be saved, and its edit controls are disabled with the reason", async () => {
    const html = (await remoteGet("/?sel=/a.jpg")).body;
    const d = dom(html);
    expect(d.querySelector("#app")!.getAttribute("data-can-write")).toBe("0");
    const banner = d.querySelector("#banner")!;
    expect(banner.textContent).toContain("Edits from this page will not be saved");
    expect(banner.textContent).toContain(`request from ${remote.peerAddr}`);
    const notes = d.querySelector("#notes-input")!;
    expect(notes.hasAttribute("disabled")).toBe(true);
    expect(notes.getAttribute("title")).toContain("--allow-remote-writes");
    expect(d.querySelector(".inspector-body .star-buttons")!.hasAttribute("disabled")).toBe(true);
    expect(d.querySelector(".no-write-note")!.textContent).toContain("will not be saved");
    // The inspector fragment the page fetches later makes the same decision.
    const frag = dom((await remoteGet("/inspector?path=/a.jpg")).body);
    expect(frag.querySelector("#notes-input")!.hasAttribute("disabled")).toBe(true);
  });

  test("H4: a local page (even one reached from a link on another site) can edit: no refusal, controls enabled", async () => {
    const html = await (
      await fetch(`${local.url}/?sel=/a.jpg`, { headers: { Referer: "https://news.example/" } })
    ).text();
    const d = dom(html);
    expect(d.querySelector("#app")!.getAttribute("data-can-write")).toBe("1");
    expect(d.querySelector("#banner")).toBeNull();
    expect(d.querySelector("#notes-input")!.hasAttribute("disabled")).toBe(false);
    expect(d.querySelector(".no-write-note")).toBeNull();
  });

  test("H4: under --no-write the page keeps today's memory-only banner and its controls work", async () => {
    const d = dom(await (await fetch(`${memory.url}/?sel=/a.jpg`)).text());
    expect(d.querySelector("#banner")!.textContent).toContain("Not saved to disk");
    expect(d.querySelector("#notes-input")!.hasAttribute("disabled")).toBe(false);
  });
});
