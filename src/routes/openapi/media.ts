/** Image bytes (/thumb, /display, /file, /dims): their query schema (the routes validate with it) and paths. */
import { z } from "zod";
import { type ApiPart, error, json, jsonSchema, queryParameters } from "./common.ts";

export const MediaQuery = z.object({
  path: z.string().min(1).max(4096).describe("Item path (any spelling of it)"),
  /** Version the page rendered (the thumbnail ETag); only busts caches. */
  v: z.string().max(128).optional().describe("Version the page rendered; only busts caches"),
});

export const DimsResponse = z.object({ width: z.number().int(), height: z.number().int() });

const lookupErrors = {
  "400": error("`validation_error` or `invalid_path`"),
  "404": error("`not_found`: no image at this path (or the file is gone)"),
};

export const mediaApi = (): ApiPart => ({
  schemas: { Dims: jsonSchema(DimsResponse) },
  paths: {
    "/thumb": {
      get: {
        summary: "Thumbnail (WebP, ETag; immutable per version)",
        parameters: queryParameters(MediaQuery),
        responses: {
          "200": {
            description:
              "The WebP thumbnail; an image that cannot be decoded gets an SVG tile (X-Lenslet-Thumb: failed)",
            content: {
              "image/webp": { schema: { type: "string", contentMediaType: "image/webp" } },
              "image/svg+xml": { schema: { type: "string" } },
            },
          },
          "304": { description: "Not modified (If-None-Match)" },
          ...lookupErrors,
          "503": error("`thumbnail_busy`: too many thumbnails in progress; Retry-After"),
        },
      },
    },
    "/display": {
      get: {
        summary:
          "Display image for the viewer (WebP, long edge 2,560 px; for TIFF, SVG and files the browser cannot decode)",
        parameters: queryParameters(MediaQuery),
        responses: {
          "200": {
            description:
              "The WebP display image; an image that cannot be decoded gets the same SVG tile as /thumb (X-Lenslet-Thumb: failed)",
            content: {
              "image/webp": { schema: { type: "string", contentMediaType: "image/webp" } },
              "image/svg+xml": { schema: { type: "string" } },
            },
          },
          "304": { description: "Not modified (If-None-Match)" },
          ...lookupErrors,
          "503": error("`display_busy`: too many images in progress; Retry-After"),
        },
      },
    },
    "/file": {
      get: {
        summary:
          "The original image (Range requests supported); an SVG is sent as a download (Content-Disposition: attachment)",
        parameters: [
          ...queryParameters(MediaQuery),
          {
            name: "Range",
            in: "header",
            required: false,
            description: "`bytes=a-b`",
            schema: { type: "string" },
          },
        ],
        responses: {
          "200": {
            description: "The file",
            content: { "application/octet-stream": { schema: { type: "string" } } },
          },
          "206": { description: "The requested range" },
          "304": { description: "Not modified" },
          ...lookupErrors,
          "416": { description: "Range not satisfiable" },
        },
      },
    },
    "/dims": {
      get: {
        summary: "Image dimensions (from the header, cached)",
        parameters: queryParameters(MediaQuery),
        responses: {
          "200": { description: "Width and height in pixels", content: json("Dims") },
          ...lookupErrors,
          "422": error("`undecodable`: the image header cannot be read"),
        },
      },
    },
  },
});
