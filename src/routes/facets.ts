/**
 * GET /facets: the histograms and value counts of the current view (the same
 * browse parameters as the grid, `m.<field>=lo..hi` and `c.<field>=a,b`
 * included), for the Metrics panel. Crossfilter: a field's own filter does not
 * narrow its own facet (D8), so a brushed histogram still shows the rest.
 */
import type { Context } from "hono";
import { z } from "zod";
import { BrowseQuery } from "../gallery/browse-query.ts";
import type { QueryRunner } from "../gallery/run-query.ts";
import type { Facet } from "../query/facets.ts";
import { validationError } from "./errors.ts";
import { queryObject } from "./query-params.ts";

export const FacetsQuery = z.object({
  fields: z
    .string()
    .max(8192)
    .optional()
    .describe("Comma-separated fields to facet (default: every metric, @size, @date and category)")
    .transform((v) => (v ? [...new Set(v.split(",").filter(Boolean))] : undefined)),
  bins: z.coerce.number().int().min(1).max(200).default(40).describe("Histogram bins"),
});

const HistogramOut = z.object({
  kind: z.literal("histogram"),
  field: z.string(),
  date: z.boolean().describe("the field holds dates: min, max and bin edges are epoch ms"),
  min: z
    .number()
    .nullable()
    .describe("finite range over the whole gallery (null: no finite value)"),
  max: z.number().nullable(),
  counts: z.array(z.number().int()).describe("rows of the filtered view per bin"),
  whole: z.array(z.number().int()).describe("rows of the folder (or subtree) per bin"),
  missing: z.number().int(),
  missing_whole: z.number().int(),
});
const ValuesOut = z.object({
  kind: z.literal("values"),
  field: z.string(),
  values: z
    .array(
      z.object({ value: z.string().nullable(), count: z.number().int(), whole: z.number().int() }),
    )
    .describe("in dictionary order; the first is the missing value (null)"),
});
export const FacetsResponse = z.object({
  total: z.number().int().describe("rows of the filtered view"),
  base_total: z.number().int().describe("rows of the folder (or subtree) before filtering"),
  facets: z.array(z.discriminatedUnion("kind", [HistogramOut, ValuesOut])),
});
export type FacetsResponse = z.infer<typeof FacetsResponse>;

const finite = (v: number) => (Number.isFinite(v) ? v : null);

function facetOut(f: Facet): FacetsResponse["facets"][number] {
  if (f.kind === "values") return f;
  return {
    kind: "histogram",
    field: f.field,
    date: f.date,
    min: finite(f.min),
    max: finite(f.max),
    counts: f.counts,
    whole: f.whole,
    missing: f.missing,
    missing_whole: f.missingWhole,
  };
}

/** The facets of the view a request names, or the 400 that says which parameter is wrong. */
export function readFacets(
  c: Context,
  queries: QueryRunner,
): { q: BrowseQuery; body: FacetsResponse } | Response {
  const raw = queryObject(c);
  const parsed = BrowseQuery.safeParse(raw);
  if (!parsed.success) return validationError(c, parsed.error);
  const opts = FacetsQuery.safeParse(raw);
  if (!opts.success) return validationError(c, opts.error);
  const known = new Set(queries.columns.facetFields());
  const unknown = opts.data.fields?.find((f) => !known.has(f));
  if (unknown !== undefined)
    return c.json(
      {
        error: "validation_error",
        message: `fields: no facet field '${unknown}'`,
        field: "fields",
      },
      400,
    );
  const r = queries.facets(parsed.data, opts.data.fields, opts.data.bins);
  return {
    q: parsed.data,
    body: { total: r.total, base_total: r.baseTotal, facets: r.facets.map(facetOut) },
  };
}

export function facetsHandler(queries: QueryRunner) {
  return (c: Context) => {
    const r = readFacets(c, queries);
    if (r instanceof Response) return r;
    return c.json(r.body, 200, { "Cache-Control": "no-store" });
  };
}
