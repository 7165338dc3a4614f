/**
 * Every label and idempotency rule through HTTP: the app built from
 * itemRoutes over a real LabelStore (temp workspace, real fsync) and a real
 * EventBus, called with app.request().
 */
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import { buildOpenApi } from "../../src/routes/openapi/build.ts";
import { isLoopbackHost, writeRefusal } from "../../src/routes/origin-guard.ts";
import { labelContract } from "./contract.ts";
import { call, cleanupTempDirs, harness, newKey, patch } from "./helpers.ts";

afterAll(cleanupTempDirs);

const itemUrl = (p: string) => `/item?path=${encodeURIComponent(p)}`;

labelContract(harness);

describe("durability through HTTP", () => {
  test("W2: with no workspace every write says persistence: memory", async () => {
    const h = await harness({ dir: null, mode: "memory" });
    const r = await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 });
    expect(r.body.persistence).toBe("memory");
    const b = await call(h.app, "POST", "/items/patch", {
      key: newKey(),
      body: { patches: [{ path: "/b.jpg", add_tags: ["x"] }] },
    });
    expect(b.body.persistence).toBe("memory");
    expect(h.store.health()).toMatchObject({ durability: "memory", state: "disabled" });
    await h.close();
  });

  test("J12: the labels part of /health names durability, state, files and sizes", async () => {
    const h = await harness();
    await patch(h.app, "/a.jpg", { base_version: 1, set_star: 4 });
    const health = h.store.health();
    expect(health).toMatchObject({ durability: "strict", state: "saved", last_error: null });
    expect(health.journal.path).toBe(`${h.dir}/labels.log.jsonl`);
    expect(health.journal.bytes).toBe(fs.statSync(`${h.dir}/labels.log.jsonl`).size);
    expect(health.snapshot.path).toBe(`${h.dir}/labels.snapshot.json`);
    await h.close();
  });
});

describe("who and where from", () => {
  test("L16: writes from a foreign Origin or Referer → 403 local_origin_required; reads pass", async () => {
    const h = await harness();
    const body = { base_version: 1, set_star: 1 };
    const foreign: Record<string, string>[] = [
      { Origin: "http://evil.example" },
      { Origin: "http://127.0.0.1:9999" },
      { Origin: "null" },
      { Referer: "http://evil.example/page" },
      { Origin: "http://192.168.1.20" },
    ];
    for (const headers of foreign) {
      const r = await patch(h.app, "/a.jpg", body, { headers });
      expect(r.status).toBe(403);
      expect(r.body.error).toBe("local_origin_required");
    }
    const batch = await call(h.app, "POST", "/items/patch", {
      key: newKey(),
      headers: { Origin: "http://evil.example" },
      body: { patches: [{ path: "/a.jpg", add_tags: ["x"] }] },
    });
    expect(batch.status).toBe(403);
    const put = await call(h.app, "PUT", itemUrl("/a.jpg"), {
      headers: { Origin: "http://evil.example" },
      body: {},
    });
    expect(put.status).toBe(403);
    expect(h.store.get("/a.jpg").version).toBe(1);
    // Our own loopback origin, or none (scripts), may write.
    expect(
      (await patch(h.app, "/a.jpg", body, { headers: { Origin: "http://localhost" } })).status,
    ).toBe(200);
    expect(
      (
        await patch(
          h.app,
          "/a.jpg",
          { base_version: 2, set_star: 2 },
          { headers: { Origin: "http://127.0.0.1" } },
        )
      ).status,
    ).toBe(200);
    expect((await patch(h.app, "/a.jpg", { base_version: 3, set_star: 3 })).status).toBe(200);
    expect(
      (await call(h.app, "GET", itemUrl("/a.jpg"), { headers: { Origin: "http://evil.example" } }))
        .status,
    ).toBe(200);
    await h.close();
  });

  test("L16: a write from another host of the network is refused unless remote writes are allowed", async () => {
    const env = { server: { requestIP: () => ({ address: "192.168.1.20" }) } };
    const local = await harness();
    const r = await call(local.app, "PATCH", itemUrl("/a.jpg"), {
      key: newKey(),
      body: { add_tags: ["x"] },
      env,
    });
    expect(r.status).toBe(403);
    await local.close();
    const open = await harness({ allowRemoteWrites: true });
    const ok = await call(open.app, "PATCH", itemUrl("/a.jpg"), {
      key: newKey(),
      body: { add_tags: ["x"] },
      env,
      headers: { Origin: "http://192.168.1.5:7070" },
    });
    expect(ok.status).toBe(200);
    await open.close();
  });

  test("L16: a server bound to loopback does not need to ask for the peer address", () => {
    const req = new Request("http://127.0.0.1:7070/item", { method: "PATCH" });
    let asked = 0;
    const requestIP = () => {
      asked++;
      return { address: "10.0.0.1" };
    };
    const env = { server: { requestIP } };
    expect(writeRefusal(req, env, true)).toContain("10.0.0.1");
    expect(writeRefusal(req, env, false)).toBeNull();
    expect(asked).toBe(1);
    expect(
      isLoopbackHost("127.0.0.1") && isLoopbackHost("localhost") && isLoopbackHost("[::1]"),
    ).toBe(true);
    expect(
      isLoopbackHost("0.0.0.0") || isLoopbackHost("192.168.1.2") || isLoopbackHost("example.com"),
    ).toBe(false);
  });

  test("L17: updated_by is the chosen name plus the client id; presence hears about the edit", async () => {
    const h = await harness();
    const r = await patch(
      h.app,
      "/animals/cat.jpg",
      { add_tags: ["x"] },
      {
        headers: { "X-Lenslet-Name": "Zo%C3%AB", "X-Lenslet-Client": "k3f9" },
      },
    );
    expect(r.body.updated_by).toBe("Zoë (k3f9)");
    const anon = await patch(h.app, "/a.jpg", { add_tags: ["x"] });
    expect(anon.body.updated_by).toBe("anonymous (api)");
    await patch(
      h.app,
      "/b.jpg",
      { add_tags: ["x"] },
      { headers: { "X-Lenslet-Client": "c2", "X-Lenslet-Scope": "animals/" } },
    );
    expect(h.touches).toEqual([
      ["k3f9", "/animals"],
      ["api", "/"],
      ["c2", "/animals"],
    ]);
    const tooLong = await patch(
      h.app,
      "/a.jpg",
      { add_tags: ["y"] },
      { headers: { "X-Lenslet-Name": "x".repeat(65) } },
    );
    expect(tooLong.body).toMatchObject({ error: "validation_error", field: "X-Lenslet-Name" });
    // A no-op is not an edit.
    await patch(h.app, "/a.jpg", { add_tags: ["x"] }, { headers: { "X-Lenslet-Client": "c3" } });
    expect(h.touches.length).toBe(3);
    await h.close();
  });
});

describe("API document", () => {
  // L13 (export) is proven through the real app in test/routes/export.test.ts.
  test("L18: /openapi.json is generated from the zod schemas", async () => {
    // The whole document (every route) is tested in test/routes/openapi.test.ts; here the label part.
    const doc = buildOpenApi() as Record<string, Record<string, Record<string, unknown>>>;
    expect(doc.openapi as unknown).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/item", "/items/patch", "/export"]),
    );
    expect(Object.keys(doc.paths["/item"])).toEqual(["get", "patch", "put"]);
    const patchBody = doc.components.schemas as Record<
      string,
      { properties: Record<string, unknown> }
    >;
    expect(Object.keys(patchBody.PatchBody.properties)).toEqual([
      "set_star",
      "set_notes",
      "set_tags",
      "add_tags",
      "remove_tags",
      "set_metrics",
      "set_flag",
      "set_color",
      "base_version",
    ]);
    expect(patchBody.WriteResponse.properties.persistence).toEqual({
      type: "string",
      enum: ["saved", "relaxed", "memory"],
    });
  });
});
