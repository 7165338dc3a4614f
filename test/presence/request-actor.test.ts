/**
 * The one reader of who and where (`X-Lenslet-Name`, `X-Lenslet-Client`, `X-Lenslet-Scope`) through the real
 * app over real HTTP: label routes and presence routes read them alike, percent-encoded or raw, and refuse a
 * malformed escape with one error shape naming the header.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

let h: TestLenslet;
const ITEM = "/東京/one.jpg";
const enc = encodeURIComponent;

beforeAll(async () => {
  h = await startTestLenslet({ "東京/one.jpg": {}, "東京/two.jpg": {}, "plain/a.jpg": {} });
});
afterAll(() => h?.dispose());

async function current(path: string): Promise<{ version: number; updated_by: string | null }> {
  return (await h.get(`/item?path=${enc(path)}`)).json();
}

function patch(path: string, body: object, headers: Record<string, string>) {
  return h.get(`/item?path=${enc(path)}`, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

function join(body: object, headers: Record<string, string> = {}) {
  return h.get("/presence/join", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** A request whose header bytes are exactly `value` (fetch would refuse or re-encode them). */
function rawRequest(method: string, target: string, header: string, value: Buffer, body: string) {
  const { hostname, port } = new URL(h.url);
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => {
      sock.write(
        Buffer.concat([
          Buffer.from(
            `${method} ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n` +
              `Content-Type: application/json\r\nIdempotency-Key: ${crypto.randomUUID()}\r\n` +
              `Content-Length: ${Buffer.byteLength(body)}\r\n${header}: `,
          ),
          value,
          Buffer.from(`\r\n\r\n${body}`),
        ]),
      );
    });
    let data = "";
    sock.on("data", (b) => {
      data += b.toString("utf8");
    });
    sock.on("error", reject);
    sock.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1]);
      const text = data.slice(data.indexOf("\r\n\r\n") + 4);
      const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
      resolve({ status, body: JSON.parse(json) });
    });
  });
}

describe("who and where, read once for every route", () => {
  test("P17 L17: percent-encoded name, client and CJK scope: the label write and presence read them alike", async () => {
    const who = { "X-Lenslet-Name": enc("Łukasz 李"), "X-Lenslet-Client": "tab1" };
    const j = await join({ gallery_id: "/東京", client_id: "tab1" }, who);
    expect(j.status).toBe(200);
    expect((await j.json()).names).toEqual(["Łukasz 李"]);
    const res = await patch(
      ITEM,
      { base_version: (await current(ITEM)).version, set_star: 4 },
      { ...who, "X-Lenslet-Scope": enc("/東京") },
    );
    expect(res.status).toBe(200);
    expect((await res.json()).updated_by).toBe("Łukasz 李 (tab1)");
    // The write counted as editing in the folder it came from, decoded from its header.
    const p = await (await h.get(`/presence?gallery_id=${enc("/東京")}`)).json();
    expect(p).toMatchObject({ viewing: 1, editing: 1, names: ["Łukasz 李"] });
  });

  test("P17: raw Latin-1 bytes read as Latin-1, raw UTF-8 bytes as UTF-8 (scripts, curl)", async () => {
    const path = "/plain/a.jpg";
    const latin = await rawRequest(
      "PATCH",
      `/item?path=${enc(path)}`,
      "X-Lenslet-Name",
      Buffer.from("Zoë", "latin1"),
      JSON.stringify({ add_tags: ["x"] }),
    );
    expect(latin.status).toBe(200);
    expect(latin.body.updated_by).toBe("Zoë (api)");
    const utf8 = await rawRequest(
      "PATCH",
      `/item?path=${enc(path)}`,
      "X-Lenslet-Name",
      Buffer.from("Łukasz", "utf8"),
      JSON.stringify({ add_tags: ["y"] }),
    );
    expect(utf8.status).toBe(200);
    expect(utf8.body.updated_by).toBe("Łukasz (api)");
    const joined = await rawRequest(
      "POST",
      "/presence/join",
      "X-Lenslet-Name",
      Buffer.from("李", "utf8"),
      JSON.stringify({ gallery_id: "/plain", client_id: "raw1" }),
    );
    expect(joined.status).toBe(200);
    expect(joined.body.names).toEqual(["李"]);
  });

  test("P17 P13 L10: a malformed escape → 400 validation_error naming the header, on label and presence routes alike; nothing changes", async () => {
    const before = await current("/東京/two.jpg");
    for (const [header, value] of [
      ["X-Lenslet-Name", "%E6%9D"],
      ["X-Lenslet-Client", "a%zz"],
      ["X-Lenslet-Scope", "100%"],
    ] as const) {
      const w = await patch(
        "/東京/two.jpg",
        { base_version: before.version, set_star: 2 },
        { [header]: value },
      );
      const jr = await join({ gallery_id: "/東京", client_id: "bad1" }, { [header]: value });
      for (const res of [w, jr]) {
        expect(res.status).toBe(400);
        const body = await res.json();
        expect(body).toMatchObject({ error: "validation_error", field: header });
        expect(body.message).toStartWith(`${header}: `);
      }
    }
    // A scope that is not a folder path and a name over 64 characters are refused the same way.
    const dots = await patch(
      "/東京/two.jpg",
      { base_version: before.version, set_star: 2 },
      {
        "X-Lenslet-Scope": enc("/a/../b"),
      },
    );
    expect(dots.status).toBe(400);
    expect((await dots.json()).field).toBe("X-Lenslet-Scope");
    const long = await join(
      { gallery_id: "/東京", client_id: "bad2" },
      { "X-Lenslet-Name": enc("李".repeat(65)) },
    );
    expect(long.status).toBe(400);
    expect((await long.json()).field).toBe("X-Lenslet-Name");
    expect((await current("/東京/two.jpg")).version).toBe(before.version);
    expect((await (await h.get(`/presence?gallery_id=${enc("/東京")}`)).json()).viewing).toBe(1);
  });
});
