/**
 * The whole OpenAPI 3.1 document, assembled from each area's part. Errors
 * every route can answer (the host check, body limits) are added here, in the
 * one place that knows every operation, as app.ts adds their middleware.
 */
import pkg from "../../../package.json" with { type: "json" };
import { accessApi } from "./access.ts";
import { type ApiPart, error, type Paths } from "./common.ts";
import { cullingApi } from "./culling.ts";
import { eventsApi } from "./events.ts";
import { exportApi } from "./export.ts";
import { healthApi } from "./health.ts";
import { labelsApi } from "./labels.ts";
import { mediaApi } from "./media.ts";
import { pagesApi } from "./pages.ts";
import { presenceApi } from "./presence.ts";

const everyRoute = {
  "403": error(
    "`host_not_allowed`: the request is addressed to a name that is not this Lenslet (start it with --allowed-host <name>); for writes also `local_origin_required`",
  ),
};
const withBody = {
  "413": error(
    "`payload_too_large` (with `limit_bytes`): the body is over this route's limit; refused before it is read",
  ),
  "503": error(
    "`server_busy`: the server is reading as many bodies as it holds at once (Retry-After); or a route's own 503",
  ),
};

export function buildOpenApi(parts: ApiPart[] = defaultParts()): Record<string, unknown> {
  const paths: Paths = {};
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const part of parts) {
    Object.assign(schemas, part.schemas);
    for (const [path, item] of Object.entries(part.paths)) {
      paths[path] = { ...paths[path], ...item };
    }
  }
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      const responses = op.responses as Record<string, unknown>;
      // A route's own, more precise 403/503 stays first in line.
      op.responses = {
        ...everyRoute,
        ...(op.requestBody ? withBody : {}),
        ...responses,
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Lenslet API",
      version: pkg.version,
      description:
        "Every route Lenslet serves: labels (versioned, durable, idempotent writes), export, the live event stream, presence, health, image bytes and the HTML pages with their JSON errors. Generated from the zod schemas the routes validate and type with. See docs/api.md and docs/presence.md.",
    },
    paths,
    components: { schemas },
  };
}

function defaultParts(): ApiPart[] {
  return [
    labelsApi(),
    exportApi(),
    eventsApi(),
    presenceApi(),
    healthApi(),
    mediaApi(),
    pagesApi(),
    accessApi(),
    cullingApi(),
  ];
}
