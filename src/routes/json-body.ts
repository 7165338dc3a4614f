/**
 * The one reader of JSON request bodies, whatever their content type (sendBeacon sends text/plain).
 * An empty body reads as `{}`, so a body whose fields are all optional may be left out; anything that
 * is not JSON is 400 `validation_error` on `body`. Sizes were bounded before the body is read
 * (body-limits.ts).
 */
import type { Context } from "hono";
import type { z } from "zod";
import { jsonError, validationError } from "./errors.ts";

/** The body as a JSON value, or the 400 answer (a JSON value is never a Response). */
export async function jsonValue(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return jsonError(c, 400, "validation_error", "body: not valid JSON", { field: "body" });
  }
}

/** The body checked by `schema`: its data, or the 400 answer naming the field. */
export async function jsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.output<S> | Response> {
  const raw = await jsonValue(c);
  if (raw instanceof Response) return raw;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : validationError(c, parsed.error);
}
