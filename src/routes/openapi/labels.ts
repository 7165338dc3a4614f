/** The label routes' part of the OpenAPI document, from the zod schemas in src/labels/schema.ts. */
import {
  BatchPatchBody,
  BatchResponse,
  ErrorBody,
  LabelsHealth,
  PatchBody,
  PutBody,
  Sidecar,
  VersionConflictBody,
  WriteResponse,
} from "../../labels/schema.ts";
import { type ApiPart, error, json, ref, jsonSchema as schema } from "./common.ts";

const pathParam = {
  name: "path",
  in: "query",
  required: true,
  description: "Item path; any spelling of it (`a/b.jpg`, `/a//b.jpg`) names the same record.",
  schema: { type: "string" },
};
const keyHeader = (required: boolean) => ({
  name: "Idempotency-Key",
  in: "header",
  required,
  description:
    "A fresh random id per intended change. Retrying with the same key returns the first answer and applies nothing twice (kept ≥ 10 minutes, across restarts); the same key with a different request → 422.",
  schema: { type: "string", maxLength: 255 },
});
const ifMatch = {
  name: "If-Match",
  in: "header",
  required: false,
  description:
    'Base version: `12`, `"12"` or `W/"12"` (alternative to base_version; both must agree).',
  schema: { type: "string" },
};
const actorHeaders = [
  {
    name: "X-Lenslet-Name",
    in: "header",
    required: false,
    description:
      "Display name of the writer, percent-encoded UTF-8 (default `anonymous`). Ignored with access control on: the session's name is used (A12).",
    schema: { type: "string" },
  },
  {
    name: "X-Lenslet-Client",
    in: "header",
    required: false,
    description: "Short client (tab) id (default `api`). updated_by becomes `Name (client)`.",
    schema: { type: "string" },
  },
  {
    name: "X-Lenslet-Scope",
    in: "header",
    required: false,
    description:
      "The folder the writer is viewing, percent-encoded (presence counts the editor there; default: the item's folder).",
    schema: { type: "string" },
  },
];
const writeErrors = {
  "400": error(
    "`missing_idempotency_key`, `missing_base_version`, `version_mismatch`, `invalid_path` or `validation_error` (names the field)",
  ),
  "403": error(
    "`local_origin_required`: writes are accepted from this machine only (see --allow-remote-writes)",
  ),
  "404": error("`not_found`: no image at this path"),
  "422": error("`idempotency_key_reused`"),
  "503": error(
    "`label_persistence_unavailable`: the journal could not be written; nothing changed, retry with the same key",
  ),
};

export function labelsApi(): ApiPart {
  return {
    paths: {
      "/item": {
        get: {
          summary: "The labels of one image",
          parameters: [pathParam],
          responses: {
            "200": {
              description:
                'The record (version 1, nulls for a never-written image); ETag W/"<version>"',
              content: json("Sidecar"),
            },
            "400": error("`invalid_path`"),
            "404": error("`not_found`"),
          },
        },
        patch: {
          summary: "Change some labels of one image",
          description:
            "Fields apply only when present. Star, notes and set_tags need the base version (409 when stale); a patch that only adds/removes tags and/or sets metrics is merged onto the current version (merged: true). A patch that changes nothing bumps nothing (event_id null).",
          parameters: [pathParam, keyHeader(true), ifMatch, ...actorHeaders],
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("PatchBody") } },
          },
          responses: {
            "200": { description: "The record after the write", content: json("WriteResponse") },
            "409": {
              description: "`version_conflict`, with the current record",
              content: json("VersionConflict"),
            },
            ...writeErrors,
          },
        },
        put: {
          summary: "Replace the labels of one image (compatibility)",
          description:
            "Star, tags and notes take the body's values (absent = empty); metrics are replaced only when given. Versioned like every write; the base version is checked when given. Idempotency-Key optional.",
          parameters: [pathParam, keyHeader(false), ifMatch, ...actorHeaders],
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("PutBody") } },
          },
          responses: {
            "200": { description: "The record after the write", content: json("WriteResponse") },
            "409": { description: "`version_conflict`", content: json("VersionConflict") },
            ...writeErrors,
          },
        },
      },
      "/items/patch": {
        post: {
          summary: "Patch up to 1,000 images in one durable step",
          description:
            "One result per element, in order; one journal group and one fsync. Metric-only and tag add/remove patches need no base version.",
          parameters: [keyHeader(true), ...actorHeaders],
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("BatchPatchBody") } },
          },
          responses: {
            "200": { description: "Per-element results", content: json("BatchResponse") },
            ...writeErrors,
          },
        },
      },
    },
    schemas: {
      Sidecar: schema(Sidecar),
      PatchBody: schema(PatchBody, "input"),
      PutBody: schema(PutBody, "input"),
      BatchPatchBody: schema(BatchPatchBody, "input"),
      WriteResponse: schema(WriteResponse),
      BatchResponse: schema(BatchResponse),
      VersionConflict: schema(VersionConflictBody),
      Error: schema(ErrorBody),
      LabelsHealth: schema(LabelsHealth),
    },
  };
}
