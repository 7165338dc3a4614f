/**
 * The access routes (src/routes/access.ts) in the document: links, sessions
 * and API tokens, their bodies and answers, from the schemas in
 * src/access/records.ts.
 */
import { z } from "zod";
import {
  CreateInviteBody,
  CreateTokenBody,
  EndSessionsQuery,
  JoinBody,
  PublicInvite,
  PublicSession,
  PublicToken,
  RenameBody,
} from "../../access/records.ts";
import { RoleSchema } from "../../access/roles.ts";
import { type ApiPart, error, json, jsonSchema, queryParameters, ref } from "./common.ts";

export const MeResponse = z.object({
  enabled: z.boolean(),
  mode: z.enum(["local", "open", "token"]),
  principal: z
    .object({
      kind: z.enum(["session", "token"]),
      id: z.string(),
      person_id: z.string(),
      name: z.string(),
      role: RoleSchema,
      created_at: z.number().int().nullable(),
    })
    .nullable(),
  can: z.record(z.string(), z.boolean()).optional(),
});

const jsonBody = (name: string) => ({ required: true, content: json(name) });
const idParam = (what: string) => [
  {
    name: "id",
    in: "path",
    required: true,
    description: `the ${what}'s id`,
    schema: { type: "string" },
  },
];
const refused = {
  "401": error("`auth_required`, `session_ended`: no valid session cookie or bearer token"),
  "403": error("`forbidden`: the role is too low for this route"),
  "409": error("`access_off`: access control is off (--access local or open)"),
  "429": error("`too_many_attempts`: too many failed tokens from this address (Retry-After)"),
};
const ok = (description: string, schema: string) => ({
  "200": { description, content: json(schema) },
});

export const accessApi = (): ApiPart => ({
  schemas: {
    MeResponse: jsonSchema(MeResponse),
    RenameBody: jsonSchema(RenameBody, "input"),
    JoinBody: jsonSchema(JoinBody, "input"),
    CreateInviteBody: jsonSchema(CreateInviteBody, "input"),
    CreateTokenBody: jsonSchema(CreateTokenBody, "input"),
    Invite: jsonSchema(PublicInvite),
    Session: jsonSchema(PublicSession),
    ApiToken: jsonSchema(PublicToken),
  },
  paths: {
    "/access/me": {
      get: {
        summary: "Who am I: the principal of this request and what its role may do",
        responses: {
          ...ok("The principal (null when access control is off)", "MeResponse"),
          ...refused,
        },
      },
      patch: {
        summary: "Change my display name (sessions only); it shows everywhere at once",
        requestBody: jsonBody("RenameBody"),
        responses: {
          "200": { description: "The new name and the stable person id" },
          "400": error("`validation_error` or `not_a_session`"),
          ...refused,
        },
      },
    },
    "/access/logout": {
      post: {
        summary: "End my session and clear its cookie",
        responses: { "200": { description: "`{ended}`" }, ...refused },
      },
    },
    "/access/join": {
      post: {
        summary: "Redeem an invite link with the name chosen once → a session cookie, 303 to /",
        requestBody: {
          required: true,
          content: {
            "application/x-www-form-urlencoded": { schema: ref("JoinBody") },
            "application/json": { schema: ref("JoinBody") },
          },
        },
        responses: {
          "303": { description: "Session cookie set; on to the gallery" },
          "400": error("`validation_error` naming the field"),
          "401": {
            description: "An HTML page: the invite is unknown, revoked, expired or used up",
          },
          "429": refused["429"],
        },
      },
    },
    "/access/invites": {
      get: {
        summary: "List invites (admin)",
        responses: { "200": { description: "`{invites: Invite[]}`" }, ...refused },
      },
      post: {
        summary: "Create an invite link with a role, optional expiry and use count (admin)",
        requestBody: jsonBody("CreateInviteBody"),
        responses: {
          "201": { description: "`{invite: Invite, link}`: the link is shown this once" },
          "400": error("`validation_error` naming the field"),
          ...refused,
        },
      },
    },
    "/access/invites/{id}": {
      delete: {
        summary: "Revoke an invite (and, with end_sessions=1, the sessions made from it)",
        parameters: [...idParam("invite"), ...queryParameters(EndSessionsQuery)],
        responses: {
          "200": { description: "`{revoked, ended_sessions}`" },
          "404": error("`not_found`"),
          ...refused,
        },
      },
    },
    "/access/sessions": {
      get: {
        summary: "Who is in: every session (admin)",
        responses: {
          "200": { description: "`{sessions: Session[]}` (`current` marks yours)" },
          ...refused,
        },
      },
    },
    "/access/sessions/{id}": {
      delete: {
        summary: "End a session at once, its open event stream included (admin)",
        parameters: idParam("session"),
        responses: {
          "200": { description: "`{revoked}`" },
          "404": error("`not_found`"),
          ...refused,
        },
      },
    },
    "/access/tokens": {
      get: {
        summary: "List API tokens (admin)",
        responses: { "200": { description: "`{tokens: ApiToken[]}`" }, ...refused },
      },
      post: {
        summary: "Create an API token with a role for scripts (admin); the secret is shown once",
        requestBody: jsonBody("CreateTokenBody"),
        responses: {
          "201": { description: "`{token: ApiToken, secret}`" },
          "400": error("`validation_error` naming the field"),
          ...refused,
        },
      },
    },
    "/access/share": {
      get: {
        summary:
          "The Share dialog's lists as an HTML fragment: open invites, sessions, API tokens (admin)",
        responses: {
          "200": {
            description: "The lists, each item with its revoke or end button",
            content: { "text/html": { schema: { type: "string" } } },
          },
          ...refused,
        },
      },
    },
    "/access/tokens/{id}": {
      delete: {
        summary: "Revoke an API token at once",
        parameters: idParam("token"),
        responses: {
          "200": { description: "`{revoked}`" },
          "404": error("`not_found`"),
          ...refused,
        },
      },
    },
  },
});
