/**
 * Flag and colour filters and the flag sort of a browse query (spec G14):
 * how the URL spells them, and the pure predicate and rank the query runner
 * applies. Kept apart from run-query so that any query engine uses the same
 * rules.
 *
 * `flag` is any subset of `pick,reject,none` (`none` = unflagged); a value
 * `!x` means every value but x, so "hide rejects" is `flag=!reject` (stored as
 * `none,pick`) and "picks only" `flag=pick`. `color` is any subset of the five
 * colours and `none`, with `!x` likewise. Both are kept sorted, so one state
 * has one URL.
 */
import { z } from "zod";
import { COLORS, type ColorValue, FLAGS, type FlagValue } from "../core/cull.ts";

export const FLAG_FILTERS = [...FLAGS, "none"] as const;
export type FlagFilter = (typeof FLAG_FILTERS)[number];
export const COLOR_FILTERS = [...COLORS, "none"] as const;
export type ColorFilter = (typeof COLOR_FILTERS)[number];

/** A zod parser of a comma list over `values`, `!x` meaning "all but x"; sorted in `values` order. */
function subsetList<T extends string>(values: readonly T[], what: string) {
  return z
    .string()
    .max(128)
    .transform((raw, ctx) => {
      const chosen = new Set<T>();
      for (const part of raw
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)) {
        const negated = part.startsWith("!");
        const name = negated ? part.slice(1) : part;
        if (!(values as readonly string[]).includes(name)) {
          ctx.addIssue({
            code: "custom",
            message: `unknown ${what} filter '${part.slice(0, 20)}' (use ${values.join(", ")}, or !value for all but it)`,
          });
          return z.NEVER;
        }
        if (negated) {
          for (const v of values) if (v !== name) chosen.add(v);
        } else {
          chosen.add(name as T);
        }
      }
      // Everything chosen filters nothing: the same state as no filter, so the same URL.
      if (chosen.size === values.length) return [];
      return values.filter((v) => chosen.has(v));
    });
}

export const flagFilterList = subsetList(FLAG_FILTERS, "flag");
export const colorFilterList = subsetList(COLOR_FILTERS, "color");

export interface CullFacts {
  flag: FlagValue | null;
  color: ColorValue | null;
}

export interface CullQuery {
  flag: readonly FlagFilter[];
  color: readonly ColorFilter[];
}

export function isCullFiltered(q: CullQuery): boolean {
  return q.flag.length > 0 || q.color.length > 0;
}

/** True when the image's flag and colour pass the query's filters (each empty filter passes all). */
export function matchesCull(facts: CullFacts, q: CullQuery): boolean {
  if (q.flag.length > 0 && !q.flag.includes(facts.flag ?? "none")) return false;
  if (q.color.length > 0 && !q.color.includes(facts.color ?? "none")) return false;
  return true;
}

/** `sort=flag`: rejects, then unflagged, then picks; `dir=desc` puts picks first. */
export function flagRank(flag: FlagValue | null): number {
  return flag === "pick" ? 2 : flag === "reject" ? 0 : 1;
}
