/** @jsxImportSource hono/jsx */
/**
 * GET /facets/panel: the Metrics panel's body for the current view (D18), the
 * same parameters and numbers as GET /facets, rendered as server-side SVG.
 */
import type { Context } from "hono";
import { MetricsPanel } from "../../views/MetricsPanel.tsx";
import type { QueryRunner } from "../gallery/run-query.ts";
import { readFacets } from "./facets.ts";

export function facetsPanelHandler(queries: QueryRunner) {
  return (c: Context) => {
    const r = readFacets(c, queries);
    if (r instanceof Response) return r;
    return c.html(`${<MetricsPanel q={r.q} facets={r.body} />}`, 200, {
      "Cache-Control": "no-store",
    });
  };
}
