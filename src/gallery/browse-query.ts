/**
 * The browse state a URL carries (folder, filters, sort, search, selection,
 * card size) as one zod schema, and how to write it back into a URL.
 */
import { z } from "zod";
import { canonicalPath } from "../core/paths.ts";
import { colorFilterList, flagFilterList } from "./cull-filters.ts";

/** `flag`: rejects, unflagged, picks (cull-filters.ts); `taken`: EXIF capture time, images without one last. */
export const SORT_KEYS = ["name", "date", "size", "stars", "random", "flag", "taken"] as const;
/** In a URL a metric sort is one value, `sort=metric:<name>`; parsed, it is `sort: "metric"` plus `metric`. */
export const METRIC_SORT_PREFIX = "metric:";
const MAX_METRIC_NAME = 128;
export const STAR_FILTERS = ["unrated", "1", "2", "3", "4", "5"] as const;
export type StarFilter = (typeof STAR_FILTERS)[number];
export const CARD_SIZES = { min: 100, max: 400, default: 180 } as const;

const boolish = z
  .union([z.boolean(), z.enum(["1", "0", "true", "false", "on", "off", ""])])
  .transform((v) => v === true || v === "1" || v === "true" || v === "on");

const canonical = z
  .string()
  .max(4096)
  .transform((v, ctx) => {
    try {
      return canonicalPath(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

const starList = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const out = new Set<StarFilter>();
    for (const part of v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const value = part === "0" ? "unrated" : part;
      if (!(STAR_FILTERS as readonly string[]).includes(value)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown star filter '${part}' (use unrated or 1-5)`,
        });
        return z.NEVER;
      }
      out.add(value as StarFilter);
    }
    return [...out].sort();
  });

const sortSpec = z
  .string()
  .max(MAX_METRIC_NAME + METRIC_SORT_PREFIX.length)
  .transform((v, ctx) => {
    if ((SORT_KEYS as readonly string[]).includes(v)) {
      return { sort: v as (typeof SORT_KEYS)[number], metric: "" };
    }
    const metric = v.startsWith(METRIC_SORT_PREFIX) ? v.slice(METRIC_SORT_PREFIX.length) : "";
    if (metric.trim() !== "") return { sort: "metric" as const, metric };
    ctx.addIssue({
      code: "custom",
      message: `unknown sort '${v.slice(0, 40)}' (use ${SORT_KEYS.join(", ")} or metric:<name>)`,
    });
    return z.NEVER;
  });

export const BrowseQuery = z
  .object({
    folder: canonical.default("/"),
    recursive: boolish.default(false),
    q: z
      .string()
      .max(200)
      .default("")
      .transform((s) => s.trim()),
    sort: sortSpec.prefault("name"),
    dir: z.enum(["asc", "desc"]).default("asc"),
    stars: starList.default([]),
    /** Flag and colour filters (cull-filters.ts): `flag=pick`, `flag=!reject`, `color=red,green`. */
    flag: flagFilterList.default([]),
    color: colorFilterList.default([]),
    tag: z
      .string()
      .max(128)
      .default("")
      .transform((s) => s.trim()),
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .default(1),
    sel: canonical.optional(),
    size: z.coerce
      .number()
      .int()
      .min(CARD_SIZES.min)
      .max(CARD_SIZES.max)
      .default(CARD_SIZES.default),
    /** The full-screen viewer is open on `sel`. */
    view: boolish.default(false),
  })
  .transform(({ sort, ...rest }) => ({ ...rest, sort: sort.sort, metric: sort.metric }));
export type BrowseQuery = z.output<typeof BrowseQuery>;

export const PageQuery = z.object({
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(120),
});

/** Serialises a browse state into URL search params, leaving out defaults so URLs stay short. */
export function browseParams(
  q: BrowseQuery,
  overrides: Partial<BrowseQuery> = {},
): URLSearchParams {
  const s = { ...q, ...overrides };
  const p = new URLSearchParams();
  if (s.folder !== "/") p.set("folder", s.folder);
  if (s.recursive) p.set("recursive", "1");
  if (s.q) p.set("q", s.q);
  if (s.sort === "metric") p.set("sort", `${METRIC_SORT_PREFIX}${s.metric}`);
  else if (s.sort !== "name") p.set("sort", s.sort);
  if (s.dir !== "asc") p.set("dir", s.dir);
  if (s.stars.length) p.set("stars", s.stars.join(","));
  if (s.flag.length) p.set("flag", s.flag.join(","));
  if (s.color.length) p.set("color", s.color.join(","));
  if (s.tag) p.set("tag", s.tag);
  if (s.sort === "random") p.set("seed", String(s.seed));
  if (s.sel) p.set("sel", s.sel);
  if (s.size !== CARD_SIZES.default) p.set("size", String(s.size));
  if (s.view && s.sel) p.set("view", "1");
  return p;
}

export function browseHref(q: BrowseQuery, overrides: Partial<BrowseQuery> = {}): string {
  const qs = browseParams(q, overrides).toString();
  return qs ? `/?${qs}` : "/";
}
