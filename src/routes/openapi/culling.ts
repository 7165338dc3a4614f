/**
 * Culling routes (issue 12): EXIF facts, the XMP sidecar zip, bursts and
 * near-duplicates, and the /health parts of XMP and hashes. The routes
 * validate with these schemas and type their answers with them.
 */
import { z } from "zod";
import { type ApiPart, error, json, jsonSchema, queryParameters } from "./common.ts";

export const ExifQuery = z.object({
  path: z.string().min(1).max(4096).describe("Item path (any spelling of it)"),
});

/** GET /compare: the images to show side by side (spec M4), as repeated `path` parameters. */
export const CompareQuery = z.object({
  path: z
    .array(z.string().min(1).max(4096))
    .min(2)
    .max(4)
    .describe("2 to 4 item paths, repeated: `?path=/a.jpg&path=/b.jpg`"),
});

export const ExifResponse = z.object({
  path: z.string(),
  camera: z.string().nullable(),
  lens: z.string().nullable(),
  exposure: z.number().nullable().describe("exposure time in seconds"),
  aperture: z.number().nullable().describe("f-number"),
  iso: z.number().nullable(),
  focal: z.number().nullable().describe("focal length in mm"),
  taken: z.string().nullable().describe("capture time as the camera wrote it, ISO-8601"),
  taken_ms: z.number().nullable().describe("the same, ms since epoch (no offset counts as UTC)"),
});
export type ExifResponse = z.infer<typeof ExifResponse>;

const flag = z
  .union([z.boolean(), z.enum(["1", "0", "true", "false", "yes", "no", ""])])
  .transform((v) => v === true || v === "1" || v === "true" || v === "yes");

export const XmpExportQuery = z.object({
  path: z.string().max(4096).default("/").describe("A folder, or one image"),
  recursive: flag.default(false).describe("the folder's whole subtree"),
  style: z
    .enum(["ext", "base"])
    .optional()
    .describe("sidecar names: image.jpg.xmp (ext) or image.xmp (base); default --xmp-style"),
});

export const XmpExportSelection = z
  .object({
    paths: z.array(z.string().min(1)).min(1).max(65_535),
    style: z.enum(["ext", "base"]).optional(),
  })
  .strict();

export const GroupsQuery = z.object({
  kind: z.enum(["burst", "duplicate"]),
  folder: z.string().max(4096).default("/"),
  recursive: flag.default(true).describe("the folder's whole subtree (default) or its own images"),
});

export const GroupsResponse = z.object({
  kind: z.enum(["burst", "duplicate"]),
  folder: z.string(),
  /** Each group's paths (2 or more), bursts in capture order. */
  groups: z.array(z.object({ paths: z.array(z.string()), count: z.number().int() })),
  /** Images of the scope whose fact (capture time or hash) is not known yet: they are in no group. */
  pending: z.number().int(),
  threshold: z
    .number()
    .describe("bursts: the largest gap in ms; duplicates: the largest Hamming distance"),
});
export type GroupsResponse = z.infer<typeof GroupsResponse>;

export const XmpHealth = z.object({
  mode: z.enum(["off", "read", "write"]),
  style: z.enum(["ext", "base"]),
  seed: z
    .object({
      seeded: z.number().int(),
      checked: z.number().int(),
      malformed: z
        .number()
        .int()
        .describe("sidecars or embedded packets that were not XMP: skipped"),
      running: z.boolean(),
      last_error: z.string().nullable(),
    })
    .nullable(),
  write: z
    .object({
      written: z.number().int(),
      pending: z.number().int(),
      failed: z.number().int(),
      last_error: z.string().nullable(),
      latency_ms: z.object({ p50: z.number().nullable(), p99: z.number().nullable() }),
    })
    .nullable()
    .describe("null unless --xmp write"),
});

export const HashesHealth = z.object({
  hashed: z.number().int(),
  total: z.number().int(),
  running: z.boolean(),
  failed: z.number().int(),
});

const lookupErrors = {
  "400": error("`validation_error` or `invalid_path`"),
  "404": error("`not_found`: no image or folder at this path"),
};

export const cullingApi = (): ApiPart => ({
  schemas: {
    Exif: jsonSchema(ExifResponse),
    Groups: jsonSchema(GroupsResponse),
    XmpExportSelection: jsonSchema(XmpExportSelection, "input"),
  },
  paths: {
    "/exif": {
      get: {
        summary: "An image's EXIF facts (read once, cached in the workspace)",
        parameters: queryParameters(ExifQuery),
        responses: {
          "200": {
            description: "Camera, lens, exposure, aperture, ISO, focal length, capture time",
            content: json("Exif"),
          },
          ...lookupErrors,
        },
      },
    },
    "/export/xmp": {
      get: {
        summary: "XMP sidecars of a folder (or subtree, or one image) as a zip",
        description:
          "One sidecar per image, named as --xmp-style (or `style`) beside it in the zip's folders; an existing sidecar's other fields are kept. For folders Lenslet may not write.",
        parameters: queryParameters(XmpExportQuery),
        responses: {
          "200": {
            description: "application/zip (stored entries)",
            content: {
              "application/zip": {
                schema: { type: "string", contentMediaType: "application/zip" },
              },
            },
          },
          ...lookupErrors,
          "413": error("`too_many_entries`: more than 65,535 images (a zip without zip64)"),
        },
      },
      post: {
        summary: "XMP sidecars of a selection as a zip",
        requestBody: { required: true, content: json("XmpExportSelection") },
        responses: {
          "200": {
            description: "application/zip",
            content: {
              "application/zip": {
                schema: { type: "string", contentMediaType: "application/zip" },
              },
            },
          },
          "400": error("`validation_error`"),
        },
      },
    },
    "/compare": {
      get: {
        summary: "Compare: 2–4 images side by side, each with its labels (an HTML fragment)",
        parameters: queryParameters(CompareQuery),
        responses: {
          "200": {
            description: "The compare overlay",
            content: { "text/html": { schema: { type: "string" } } },
          },
          ...lookupErrors,
        },
      },
    },
    "/groups/view": {
      get: {
        summary: "The Bursts / Duplicates region: the groups of GET /groups as thumbnails (HTML)",
        parameters: queryParameters(GroupsQuery),
        responses: {
          "200": {
            description: "The groups region",
            content: { "text/html": { schema: { type: "string" } } },
          },
          ...lookupErrors,
        },
      },
    },
    "/groups": {
      get: {
        summary:
          "Bursts (capture times a few seconds apart) or near-duplicates (perceptual hashes)",
        parameters: queryParameters(GroupsQuery),
        responses: {
          "200": { description: "The groups", content: json("Groups") },
          ...lookupErrors,
        },
      },
    },
  },
});
