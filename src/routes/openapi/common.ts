/**
 * Helpers shared by the parts of the OpenAPI 3.1 document. OpenAPI 3.1 uses
 * JSON Schema 2020-12, which is what `z.toJSONSchema` emits, so every schema
 * in the document is generated from the zod schema the code validates or
 * types with.
 */
import { z } from "zod";

/** OpenAPI path items by path; each operation a plain JSON object. */
export type Paths = Record<string, Record<string, Record<string, unknown>>>;

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
