/**
 * The one shape of every 4xx/5xx JSON error: `{"error": "<name>", "message": "…", "field"?: "…", …extra}`.
 * `error` is a stable machine name (see the seeds); `message` is for people.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  [extra: string]: unknown;
}

export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  message: string,
  extra?: Record<string, unknown>,
): Response {
  const body: ErrorBody = { ...extra, error, message };
  return c.json(body, status);
}

/** 400 `validation_error` naming the first offending field (dotted path) and listing every issue. */
export function validationError(c: Context, err: z.ZodError): Response {
  const issues = err.issues.map((i) => ({
    field: i.path.map(String).join("."),
    message: i.message,
  }));
  const first = issues[0];
  const field = first?.field || undefined;
  const message = first ? `${first.field || "request"}: ${first.message}` : "invalid request";
  return jsonError(c, 400, "validation_error", message, { field, issues });
}
