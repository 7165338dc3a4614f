/** GET|POST /export in the OpenAPI document; GET takes the page's browse query (src/gallery/browse-query.ts). */
import { z } from "zod";
import { BrowseQuery } from "../../gallery/browse-query.ts";
import { ExportRow, ExportSelection } from "../../labels/schema.ts";
import { type ApiPart, error, queryParameters, ref, jsonSchema as schema } from "./common.ts";

/** What GET /export takes beside the browse query. */
export const ExportQuery = z.object({
  format: z
    .enum(["json", "csv", "parquet"])
    .default("json")
    .describe("parquet: labels, pushed metrics and (for a table) every source column (D21)"),
  path: z
    .string()
    .max(4096)
    .optional()
    .describe(
      "A folder (the browse query's filters, search and sort apply within it) or one image; default `folder`",
    ),
});

const rowsAnswer = (description: string) => ({
  description,
  headers: {
    "Content-Disposition": {
      description:
        "attachment; the file name carries the folder (`lenslet-animals-cats-2026-11-22.csv`; `filename*` holds it exactly in UTF-8)",
      schema: { type: "string" },
    },
    "X-Export-Rows": { description: "How many rows follow", schema: { type: "integer" } },
  },
  content: {
    "application/json": { schema: { type: "array", items: ref("ExportRow") } },
    "text/csv": { schema: { type: "string" } },
    "application/vnd.apache.parquet": { schema: { type: "string", format: "binary" } },
  },
});

export const exportApi = (): ApiPart => ({
  schemas: {
    ExportRow: schema(ExportRow),
    ExportSelection: schema(ExportSelection, "input"),
  },
  paths: {
    "/export": {
      get: {
        summary:
          "Export what a page shows: a folder or subtree with its filters, search and sort, or one image",
        description:
          "Takes the page's own URL parameters (folder, recursive, q, sort, dir, stars, tag, seed), validated by the same schema. Rows stream in the view's order; width and height are read from the file when not known yet.",
        parameters: [...queryParameters(ExportQuery), ...queryParameters(BrowseQuery)],
        responses: {
          "200": rowsAnswer(
            "JSON rows, or CSV with the same columns (one `metrics.<name>` column per metric; text cells a spreadsheet would run get one leading `'`, tags are joined with `|` with `\\` and `|` escaped by `\\`)",
          ),
          "400": error("`validation_error` naming the field, or `invalid_path`"),
          "404": error("`not_found`: no such folder or image"),
        },
      },
      post: {
        summary: "Export a selection",
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref("ExportSelection") } },
        },
        responses: {
          "200": rowsAnswer("As GET /export; the file name carries the selection's common folder"),
          "400": error("`validation_error`"),
        },
      },
    },
  },
});
