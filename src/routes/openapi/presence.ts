/**
 * The presence routes' response schemas (src/routes/presence.ts types its
 * answers with them, so they cannot drift) and their part of the document.
 */
import { z } from "zod";
import {
  CountsQuery,
  HeartbeatBody,
  JoinBody,
  LeaveBody,
  MoveBody,
} from "../../presence/schema.ts";
import { type ApiPart, error, json, jsonSchema, queryParameters, ref } from "./common.ts";

export const PresenceCounts = z.object({
  gallery_id: z.string(),
  viewing: z.number().int().min(0),
  editing: z.number().int().min(0),
  names: z.array(z.string()).max(20),
  /** Tabs present (viewing and editing count people, P18). */
  sessions: z.number().int().min(0),
});

export const JoinResponse = PresenceCounts.extend({
  client_id: z.string(),
  lease_id: z.string(),
  created: z.boolean(),
});
export type JoinResponse = z.infer<typeof JoinResponse>;

export const MoveResponse = PresenceCounts.extend({
  client_id: z.string(),
  lease_id: z.string(),
  moved: z.boolean(),
  from: PresenceCounts,
});
export type MoveResponse = z.infer<typeof MoveResponse>;

export const LeaveResponse = z.union([
  PresenceCounts.extend({
    client_id: z.string(),
    mode: z.literal("lifecycle_v2"),
    removed: z.boolean(),
  }),
  z.object({
    gallery_id: z.string(),
    client_id: z.string(),
    mode: z.literal("legacy_heartbeat"),
    removed: z.literal(false),
  }),
]);
export type LeaveResponse = z.infer<typeof LeaveResponse>;

export const HeartbeatResponse = PresenceCounts.extend({ client_id: z.string() });
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

const body = (name: string) => ({
  required: true,
  description: "JSON, with any content type (sendBeacon sends text/plain)",
  content: { "application/json": { schema: ref(name) }, "text/plain": { schema: ref(name) } },
});

const writeErrors = {
  "400": error("`validation_error` naming the field (`body` when it is not JSON)"),
  "403": error("`local_origin_required`: presence writes are writes"),
};
const leaseErrors = {
  "409": error("`invalid_lease` or `scope_mismatch`"),
};
const full = {
  "503": error("`presence_full`: --max-sessions tabs are present; Retry-After says when to retry"),
};

export const presenceApi = (): ApiPart => ({
  schemas: {
    JoinBody: jsonSchema(JoinBody, "input"),
    MoveBody: jsonSchema(MoveBody, "input"),
    LeaveBody: jsonSchema(LeaveBody, "input"),
    HeartbeatBody: jsonSchema(HeartbeatBody, "input"),
    PresenceCounts: jsonSchema(PresenceCounts),
    JoinResponse: jsonSchema(JoinResponse),
    MoveResponse: jsonSchema(MoveResponse),
    LeaveResponse: jsonSchema(LeaveResponse),
    HeartbeatResponse: jsonSchema(HeartbeatResponse),
  },
  paths: {
    "/presence/join": {
      post: {
        summary: "Join a folder's presence (a tab); a join with the lease reclaims the session",
        requestBody: body("JoinBody"),
        responses: {
          "200": { description: "The scope's counts and the lease", content: json("JoinResponse") },
          ...writeErrors,
          ...leaseErrors,
          ...full,
        },
      },
    },
    "/presence/move": {
      post: {
        summary: "Move a session to another folder",
        requestBody: body("MoveBody"),
        responses: {
          "200": {
            description: "Counts of the target and the source",
            content: json("MoveResponse"),
          },
          ...writeErrors,
          ...leaseErrors,
        },
      },
    },
    "/presence/leave": {
      post: {
        summary: "Leave (a second leave answers removed: false)",
        requestBody: body("LeaveBody"),
        responses: {
          "200": { description: "Counts after leaving", content: json("LeaveResponse") },
          ...writeErrors,
          ...leaseErrors,
        },
      },
    },
    "/presence": {
      post: {
        summary: "Legacy heartbeat: create or refresh an unleased session",
        requestBody: body("HeartbeatBody"),
        responses: {
          "200": { description: "The scope's counts", content: json("HeartbeatResponse") },
          ...writeErrors,
          ...leaseErrors,
          ...full,
        },
      },
      get: {
        summary: "Current counts of a folder (changes nothing)",
        parameters: queryParameters(CountsQuery),
        responses: {
          "200": { description: "Counts", content: json("PresenceCounts") },
          "400": error("`validation_error` naming gallery_id"),
        },
      },
    },
    "/presence/people": {
      get: {
        summary: "Who is here: one row per person, with name, role (access control on) and folder",
        description:
          "An HTML fragment (the list the presence pill opens); each name links to the folder that person is in.",
        responses: {
          "200": {
            description: "The list",
            content: { "text/html": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/presence/diagnostics": {
      get: {
        summary: "Presence numbers for operators (also /health.presence)",
        responses: {
          "200": { description: "Diagnostics", content: json("PresenceDiagnostics") },
        },
      },
    },
  },
});
