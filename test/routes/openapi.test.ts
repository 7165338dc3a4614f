/**
 * /openapi.json is the full contract: every route the app mounts is in it,
 * and it is a well-formed OpenAPI 3.1 document whose references resolve.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";

type Json = Record<string, unknown>;
let app: TestLenslet;
let doc: Json;

beforeAll(async () => {
  app = await startTestLenslet({ "a.jpg": {} });
  const res = await app.get("/openapi.json");
  expect(res.status).toBe(200);
  doc = (await res.json()) as Json;
});
afterAll(() => app.dispose());

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

describe("/openapi.json (H5)", () => {
  test("H5: every route the app mounts is in the document, with its method", () => {
    const paths = doc.paths as Record<string, Json>;
    const mounted = createApp(app.deps)
      .routes.filter((r) => r.method !== "ALL")
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, "{$1}") }));
    expect(mounted.length).toBeGreaterThan(20);
    const missing = mounted.filter((r) => !paths[r.path]?.[r.method]);
    expect(missing).toEqual([]);
    // And nothing is documented that the app does not serve.
    const served = new Set(mounted.map((r) => `${r.method} ${r.path}`));
    const extra = Object.entries(paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m} ${p}`)
        .filter((k) => !served.has(k)),
    );
    expect(extra).toEqual([]);
  });

  test("H5: it is well-formed OpenAPI 3.1: info, operations with described responses, path parameters, resolving $refs", () => {
    expect(doc.openapi).toBe("3.1.0");
    const info = doc.info as Json;
    expect(typeof info.title).toBe("string");
    expect(typeof info.version).toBe("string");
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      expect(path.startsWith("/")).toBe(true);
      for (const [method, op] of Object.entries(item)) {
        expect(METHODS).toContain(method);
        const responses = op.responses as Record<string, Json>;
        expect(Object.keys(responses).length).toBeGreaterThan(0);
        for (const [code, r] of Object.entries(responses)) {
          expect(code).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
          expect(typeof r.description).toBe("string");
        }
        const params = (op.parameters ?? []) as Json[];
        for (const p of params) {
          expect(["query", "header", "path", "cookie"]).toContain(p.in as string);
          expect(typeof p.name).toBe("string");
          if (p.in === "path") expect(p.required).toBe(true);
        }
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          expect(params.some((p) => p.in === "path" && p.name === name)).toBe(true);
        }
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) {
      expect(r).toStartWith("#/components/schemas/");
      expect(schemas[r.slice("#/components/schemas/".length)]).toBeDefined();
    }
  });

  test("H5: presence, events (every event name with its payload schema), health, media and page errors are described from zod", () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    const events = paths["/events"]!.get!["x-lenslet-events"] as Record<string, { $ref: string }>;
    expect(Object.keys(events).sort()).toEqual(
      [
        "gallery-changed",
        "item-updated",
        "metrics-updated",
        "persistence",
        "presence",
        "resync-required",
        "views-changed",
      ].sort(),
    );
    const health = schemas.HealthResponse as { properties: Record<string, Json> };
    expect(Object.keys(health.properties)).toContain("write_refusal");
    expect(Object.keys((health.properties.labels as { properties: Json }).properties)).toContain(
      "enabled",
    );
    expect(Object.keys((schemas.JoinResponse as { properties: Json }).properties)).toContain(
      "lease_id",
    );
    expect(paths["/inspector"]!.get!.responses).toHaveProperty("404");
    expect(paths["/items/patch"]!.post!.responses).toHaveProperty("413");
    expect(paths["/file"]!.get!.responses).toHaveProperty("403");
  });
});
