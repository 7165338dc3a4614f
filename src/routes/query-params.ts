/**
 * Reads a request's query string into a plain object for zod: repeated keys
 * (`stars=1&stars=5`, `flag=pick&flag=none`, as a form sends them) are joined with commas.
 */
import type { Context } from "hono";

const LIST_KEYS = new Set(["stars", "flag", "color"]);

export function queryObject(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, values] of Object.entries(c.req.queries())) {
    out[k] = LIST_KEYS.has(k) ? values.join(",") : (values.at(-1) ?? "");
  }
  return out;
}
