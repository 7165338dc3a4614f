/**
 * Helpers shared by the parts of the OpenAPI 3.1 document. OpenAPI 3.1 uses
 * JSON Schema 2020-12, which is what `z.toJSONSchema` emits, so every schema
 * in the document is generated from the zod schema the code validates or
 * types with.
 */
import { z } from "zod";

/** OpenAPI path items by path; each operation a plain JSON object. */
export type Paths = Record<string, Record<string, Record<string, unknown>>>;

/** One area's share of the document: its paths and the component schemas they refer to. */
export interface ApiPart {
  paths: Paths;
  schemas: Record<string, Record<string, unknown>>;
}

export function jsonSchema(
  s: z.ZodType,
  io: "input" | "output" = "output",
): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (name: string) => ({ "application/json": { schema: ref(name) } });
export const error = (description: string) => ({ description, content: json("Error") });

export const queryParam = (
  name: string,
  description: string,
  schema: Record<string, unknown> = { type: "string" },
  required = false,
) => ({ name, in: "query", required, description, schema });

/** OpenAPI query parameters from a zod object schema (its input side). */
export function queryParameters(s: z.ZodType): Record<string, unknown>[] {
  const js = jsonSchema(s, "input") as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    schema,
  }));
}
