/**
 * The HTML pages and fragments (and static files): their query schemas (the
 * routes validate with them) and paths. Fragments answer HTML; their errors
 * are the same JSON as every route's.
 */
import { z } from "zod";
import { BrowseQuery, PageQuery } from "../../gallery/browse-query.ts";
import { Color, Flag, MAX_NOTES_LENGTH, Star, TagList } from "../../labels/schema.ts";
import { FacetsQuery, FacetsResponse } from "../facets.ts";
import { SaveViewBody } from "../saved-views.tsx";
import { type ApiPart, error, json, jsonSchema, queryParameters } from "./common.ts";

export const PathQuery = z.object({ path: z.string().min(1).max(4096) });
/** The inspector: of one image, or (no path) the empty one. */
export const InspectorQuery = z.object({ path: z.string().min(1).max(4096).optional() });
/** A conflict to show: the item, the field, and what this person wanted. */
export const ConflictBody = z
  .object({
    path: z.string().min(1).max(4096),
    field: z.enum(["star", "tags", "notes", "flag", "color"]),
    mine: z
      .object({
        star: Star.nullable().optional(),
        tags: TagList.optional(),
        notes: z.string().max(MAX_NOTES_LENGTH).optional(),
        flag: Flag.nullable().optional(),
        color: Color.nullable().optional(),
      })
      .strict(),
  })
  .strict();
export type ConflictBody = z.infer<typeof ConflictBody>;
/** The selected paths whose inspector to render. */
export const ManyBody = z
  .object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(1_000_000) })
  .strict();
export const TreeQuery = z.object({
  folder: z.string().max(4096).default("/"),
  offset: z.coerce.number().int().min(0).default(0),
  current: z.string().max(4096).default("/"),
});

export const ActivityQuery = z.object({
  client: z
    .string()
    .max(64)
    .default("")
    .describe("The asking tab's client id: its own edits are left out"),
  limit: z.coerce.number().int().min(1).max(200).default(40),
});

export const SelectResponse = z.object({
  total: z.number().int(),
  items: z.array(z.tuple([z.string(), z.number().int()])).describe("[path, version] pairs"),
});
export type SelectResponse = z.infer<typeof SelectResponse>;

const html = (description: string) => ({
  description,
  content: { "text/html": { schema: { type: "string" } } },
});
const badQuery = { "400": error("`validation_error` naming the field, or `invalid_path`") };

export const pagesApi = (): ApiPart => ({
  schemas: {
    SelectResponse: jsonSchema(SelectResponse),
    ConflictBody: jsonSchema(ConflictBody),
    ManyBody: jsonSchema(ManyBody),
    FacetsResponse: jsonSchema(FacetsResponse),
  },
  paths: {
    "/": {
      get: {
        summary: "The gallery page: one URL per state",
        description:
          "The full page, or the #browse region when htmx asks (header HX-Request: true).",
        parameters: [...queryParameters(BrowseQuery), ...queryParameters(PageQuery)],
        responses: {
          "200": html("The page (or fragment)"),
          ...badQuery,
          "404": error("`not_found`: no such folder"),
        },
      },
    },
    "/grid/page": {
      get: {
        summary: "A page of cards for the virtual grid (X-Total: the result size)",
        parameters: [...queryParameters(BrowseQuery), ...queryParameters(PageQuery)],
        responses: { "200": html("Cards"), ...badQuery },
      },
    },
    "/tree": {
      get: {
        summary: "A page of child folders for the folder tree",
        parameters: queryParameters(TreeQuery),
        responses: {
          "200": html("Tree nodes"),
          ...badQuery,
          "404": error("`not_found`: no such folder"),
        },
      },
    },
    "/inspector": {
      get: {
        summary: "The inspector of one image (without path: the empty inspector)",
        parameters: queryParameters(InspectorQuery),
        responses: {
          "200": html(
            "The inspector (edit controls disabled, with the reason, when this page's writes would be refused)",
          ),
          ...badQuery,
          "404": error("`not_found`"),
        },
      },
    },
    "/conflict": {
      post: {
        summary:
          "The conflict box of one field: this person's version and the current one (notes as a word diff)",
        requestBody: { required: true, content: json("ConflictBody") },
        responses: {
          "200": html("The conflict box (its data-version: the version the choice goes on)"),
          ...badQuery,
          "404": error("`not_found`"),
        },
      },
    },
    "/inspector/many": {
      post: {
        summary:
          "The inspector of several selected images: their ratings (mixed shown as mixed), tags with counts, notes",
        requestBody: { required: true, content: json("ManyBody") },
        responses: { "200": html("The multi-selection inspector"), ...badQuery },
      },
    },
    "/viewer": {
      get: {
        summary: "The full-screen viewer of the selected image (sel)",
        parameters: queryParameters(BrowseQuery),
        responses: {
          "200": html("The viewer"),
          ...badQuery,
          "404": error("`not_found`"),
        },
      },
    },
    "/select": {
      get: {
        summary: "Paths and versions of a whole result (select all, bulk edits)",
        parameters: queryParameters(BrowseQuery),
        responses: {
          "200": { description: "The result", content: json("SelectResponse") },
          ...badQuery,
        },
      },
    },
    "/activity": {
      get: {
        summary: "Recent edits by others across the gallery (the activity panel), newest first",
        description:
          "Who, what, which image (a link to it) and when, read from the event stream's replay ring (seeded from the journal after a restart). Leaves out the asking tab's edits (`client`) and, with access control on, every edit of the asking person.",
        parameters: queryParameters(ActivityQuery),
        responses: { "200": html("The list"), ...badQuery },
      },
    },
    "/facets": {
      get: {
        summary: "Histograms and value counts of the current view (the Metrics panel)",
        description:
          "Takes the grid's parameters plus field filters: `m.<field>=lo..hi` (a metric, or @size, @date, @width, @height; either end may be empty; numbers or ISO dates) and `c.<field>=a,b` (category values; `(none)` = missing). Crossfilter: a field's own filter does not narrow its facet.",
        parameters: [...queryParameters(BrowseQuery), ...queryParameters(FacetsQuery)],
        responses: {
          "200": { description: "The facets", content: json("FacetsResponse") },
          ...badQuery,
        },
      },
    },
    "/facets/panel": {
      get: {
        summary: "The Metrics panel's body for the current view (an HTML fragment, D18)",
        description:
          "The numbers of GET /facets (same parameters) as one SVG histogram per number field (the filtered view's bars over the whole folder's; the SVG carries data-field, data-min, data-max and data-bins for brushing) and counted checkboxes per category, with a clear link per active filter.",
        parameters: [...queryParameters(BrowseQuery), ...queryParameters(FacetsQuery)],
        responses: { "200": html("The panel"), ...badQuery },
      },
    },
    "/views": {
      get: {
        summary: "The saved views, as the tree's Views section lists them (an HTML fragment, D20)",
        responses: { "200": html("The list") },
      },
      post: {
        summary: "Name the current filter and sort as a view (rater; a local-origin write, D20)",
        description:
          "Saving a name that exists replaces that view. The query is parsed as the grid's parameters and kept canonical, without the selection, the viewer or the card size. Every page hears `views-changed`.",
        requestBody: {
          required: true,
          content: { "application/json": { schema: jsonSchema(SaveViewBody) } },
        },
        responses: {
          "201": { description: "The saved view" },
          "409": { description: "Already 200 saved views" },
          ...badQuery,
        },
      },
    },
    "/static/bundle.js": {
      get: {
        summary:
          "The page's one script: htmx, its SSE extension, Alpine and Lenslet's modules, bundled and minified (ETag)",
        responses: { "200": { description: "JavaScript" } },
      },
    },
    "/static/app.min.css": {
      get: {
        summary: "The page's stylesheet, minified (ETag)",
        responses: { "200": { description: "CSS" } },
      },
    },
    "/static/{name}": {
      get: {
        summary: "Lenslet's own CSS, JS and icons (ETag)",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "The file" }, "404": error("`not_found`") },
      },
    },
    "/vendor/{name}": {
      get: {
        summary: "The pinned browser libraries: htmx.js, hx-sse.js, alpine.js (ETag)",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "The file" }, "404": error("`not_found`") },
      },
    },
    "/openapi.json": {
      get: {
        summary: "This document",
        responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": {} } } },
      },
    },
  },
});
