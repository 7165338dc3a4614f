/**
 * DNS rebinding: requests addressed to a name that is not this Lenslet are
 * refused before any route runs. Real server on a free port, real sockets.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { parseCli } from "../../src/cli.ts";
import { hostDecision, hostPolicy } from "../../src/routes/host-guard.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let app: TestLenslet;
let allowed: TestLenslet;

beforeAll(async () => {
  app = await startTestLenslet({ "a.jpg": {}, "sub/b.jpg": {} });
  allowed = await startTestLenslet(
    { "a.jpg": {} },
    { allowedHosts: ["lenslet.lan", "*.studio.example"] },
  );
});
afterAll(async () => {
  await app.dispose();
  await allowed.dispose();
});

const READS = ["/export?format=json&recursive=1", "/file?path=/a.jpg", "/", "/events", "/health"];

function withHost(server: TestLenslet, path: string, host: string, init: RequestInit = {}) {
  return fetch(server.url + path, { ...init, headers: { ...init.headers, Host: host } });
}

/** One raw HTTP request over TCP (for what fetch cannot send, e.g. no Host at all). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.write(text);
        },
        data(_s, d) {
          buf += new TextDecoder().decode(d);
        },
        close() {
          resolve(buf);
        },
        error(_s, e) {
          reject(e);
        },
      },
    });
  });
}

describe("Host check (H1)", () => {
  test("H1: a foreign Host is refused with 403 host_not_allowed naming --allowed-host, for reads, the page and the stream", async () => {
    for (const path of READS) {
      const res = await withHost(app, path, `evil.example:${app.port}`);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe("host_not_allowed");
      expect(body.message).toContain("--allowed-host evil.example");
    }
  });

  test("H1: the request really carried the foreign Host (the same request without it passes)", async () => {
    const res = await app.get("/export?format=json&recursive=1");
    expect(res.status).toBe(200);
    const rows = (await res.json()) as unknown[];
    expect(rows.length).toBe(2);
  });

  test("H1: a browser navigation to a foreign name gets an HTML page saying the same", async () => {
    const res = await withHost(app, "/", "evil.example", { headers: { Accept: "text/html" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("--allowed-host evil.example");
  });

  test("H1: writes to a foreign Host are refused before the origin rule", async () => {
    const res = await withHost(app, "/item?path=/a.jpg", "evil.example", {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "Idempotency-Key": "k1" },
      body: JSON.stringify({ base_version: 1, set_star: 3 }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe("host_not_allowed");
    expect(((await (await app.get("/item?path=/a.jpg")).json()) as { star: unknown }).star).toBe(
      null,
    );
  });

  test("H1: loopback names and addresses pass, with any port", async () => {
    for (const host of [
      "localhost",
      `localhost:${app.port}`,
      "LOCALHOST.",
      "lenslet.localhost:9",
      "127.0.0.1",
      "127.8.9.10:80",
      `[::1]:${app.port}`,
    ]) {
      const res = await withHost(app, "/health", host);
      expect({ host, status: res.status }).toEqual({ host, status: 200 });
    }
  });

  test("H1: names given with --allowed-host pass (a wildcard covers subdomains only); others do not", async () => {
    const cases: [string, number][] = [
      ["lenslet.lan", 200],
      ["LENSLET.lan:7070", 200],
      ["a.studio.example", 200],
      ["b.a.studio.example:8080", 200],
      ["studio.example", 403],
      ["evilstudio.example", 403],
      ["lenslet.lan.evil.example", 403],
    ];
    for (const [host, status] of cases) {
      const res = await withHost(allowed, "/export?format=json", host);
      expect({ host, status: res.status }).toEqual({ host, status });
    }
  });

  test("H1: --allowed-host is repeatable on the command line and checked", () => {
    const o = parseCli(["--allowed-host", "a.lan", "--allowed-host", "*.b.example"]);
    expect(o !== "exit" && o.allowedHosts).toEqual(["a.lan", "*.b.example"]);
    const none = parseCli([]);
    expect(none !== "exit" && none.allowedHosts).toEqual([]);
    expect(() => parseCli(["--allowed-host", "http://x/"])).toThrow("--allowed-host");
  });

  test("H1: a malformed or doubled Host is refused", async () => {
    const doubled = await rawRequest(
      app.port,
      "GET /health HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    expect(doubled).toStartWith("HTTP/1.1 403");
    expect(doubled).toContain("host_not_allowed");
    const userinfo = await withHost(app, "/health", "localhost@evil.example");
    expect(userinfo.status).toBe(403);
  });

  test("H1: no Host at all (HTTP/1.0) is refused, even from this machine", async () => {
    const res = await rawRequest(app.port, "GET /health HTTP/1.0\r\n\r\n");
    expect(res).toStartWith("HTTP/1.1 403");
    expect(res).toContain("host_not_allowed");
  });
});

describe("listening on every interface (H1)", () => {
  test("H1: with --host 0.0.0.0 each address of this machine's interfaces is a valid Host; a foreign name is not", async () => {
    // access local: this is about the Host check, not links and roles.
    const any = await startTestLenslet({ "a.jpg": {} }, { host: "0.0.0.0", access: "local" });
    try {
      const addresses = Object.values(networkInterfaces())
        .flatMap((l) => l ?? [])
        .filter((a) => a.family === "IPv4")
        .map((a) => a.address);
      expect(addresses.length).toBeGreaterThan(0);
      for (const a of addresses) {
        const res = await withHost(any, "/health", `${a}:${any.port}`);
        expect({ a, status: res.status }).toEqual({ a, status: 200 });
      }
      expect((await withHost(any, "/health", "evil.example")).status).toBe(403);
    } finally {
      await any.dispose();
    }
  });
});

describe("host decision (H1, pure)", () => {
  const none = () => new Set<string>();
  test("H1: the listen address is allowed; with 0.0.0.0 every interface address is", () => {
    const lan = hostPolicy("192.168.1.5", []);
    expect(hostDecision("192.168.1.5:7070", lan, none)).toEqual({ ok: true });
    expect(hostDecision("192.168.1.6", lan, none).ok).toBe(false);
    const any = hostPolicy("0.0.0.0", []);
    const ifaces = () => new Set(["127.0.0.1", "10.0.0.7", "fe80::1"]);
    expect(hostDecision("10.0.0.7:7070", any, ifaces)).toEqual({ ok: true });
    expect(hostDecision("[fe80::1]:7070", any, ifaces)).toEqual({ ok: true });
    expect(hostDecision("10.0.0.8", any, ifaces)).toMatchObject({
      ok: false,
      reason: "foreign",
    });
    // Listening on one address does not open the others.
    expect(hostDecision("10.0.0.7", lan, ifaces).ok).toBe(false);
  });

  test("H1: a missing Host is refused", () => {
    const p = hostPolicy("0.0.0.0", []);
    expect(hostDecision(null, p, none)).toMatchObject({ ok: false, reason: "missing" });
    expect(hostDecision("", p, none)).toMatchObject({ ok: false, reason: "missing" });
  });
});
