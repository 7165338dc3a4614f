/** GET /openapi.json: the whole contract, built once (src/routes/openapi/). */
import { Hono } from "hono";
import { buildOpenApi } from "./openapi/build.ts";

export function apiDocRoutes(): Hono {
  const app = new Hono();
  let doc: unknown = null;
  app.get("/openapi.json", (c) => {
    doc ??= buildOpenApi();
    return c.json(doc);
  });
  return app;
}
