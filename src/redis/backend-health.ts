/** The `backend` part of /health: where labels, events and presence live. */
import { z } from "zod";

export const BackendHealth = z.object({
  kind: z
    .enum(["local", "redis"])
    .describe("local: this process alone, with its journal; redis: shared through Redis (--redis)"),
  redis: z
    .object({
      url: z.string().describe("without its password"),
      gallery: z.string().describe("the gallery's name in Redis (--redis-gallery)"),
      connected: z.boolean(),
      rtt_ms: z
        .number()
        .nullable()
        .describe("round trip of a PING just now; null when unreachable"),
      stream_length: z.number().int().nullable().describe("entries in the gallery's event stream"),
      epoch: z.string().describe("the name of the stream's history; a new one means Redis lost it"),
      durable: z.boolean().describe("appendonly yes and appendfsync always"),
      durability_problem: z.string().nullable(),
    })
    .nullable(),
});
export type BackendHealth = z.infer<typeof BackendHealth>;
