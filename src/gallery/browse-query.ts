/**
 * The browse state a URL carries (folder, filters, sort, search, selection,
 * card size) as one zod schema, and how to write it back into a URL.
 */
import { z } from "zod";
import { canonicalPath } from "../core/paths.ts";
import { colorFilterList, flagFilterList } from "./cull-filters.ts";
import { STACK_KINDS } from "./stacks.ts";

/** `flag`: rejects, unflagged, picks (cull-filters.ts); `taken`: EXIF capture time, images without one last. */
export const SORT_KEYS = ["name", "date", "size", "stars", "random", "flag", "taken"] as const;
/** In a URL a metric sort is one value, `sort=metric:<name>`; parsed, it is `sort: "metric"` plus `metric`. */
export const METRIC_SORT_PREFIX = "metric:";
/** `sort=similar:<path>`: most similar to that image first (a table with an embedding column). */
export const SIMILAR_SORT_PREFIX = "similar:";
/** `m.<field>=lo..hi`: a range filter on a metric (or `@size`, `@date`, `@width`, `@height`). */
export const RANGE_PREFIX = "m.";
/** `c.<field>=a,b`: the category is one of these (`(none)` = missing). */
export const CATEGORY_PREFIX = "c.";
export const MISSING_CATEGORY = "(none)";
const MAX_FIELD_FILTERS = 32;
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

type SortSpec = {
  sort: (typeof SORT_KEYS)[number] | "metric" | "similar";
  metric: string;
  similar?: string;
};

const sortSpec = z
  .string()
  .max(4096 + SIMILAR_SORT_PREFIX.length)
  .transform((v, ctx): SortSpec => {
    if ((SORT_KEYS as readonly string[]).includes(v)) {
      return { sort: v as (typeof SORT_KEYS)[number], metric: "" };
    }
    if (v.startsWith(SIMILAR_SORT_PREFIX)) {
      try {
        const similar = canonicalPath(v.slice(SIMILAR_SORT_PREFIX.length));
        if (similar !== "/") return { sort: "similar", metric: "", similar };
      } catch {}
      ctx.addIssue({ code: "custom", message: "similar:<path> needs an image path" });
      return z.NEVER;
    }
    const metric = v.startsWith(METRIC_SORT_PREFIX) ? v.slice(METRIC_SORT_PREFIX.length) : "";
    if (metric.trim() !== "" && metric.length <= MAX_METRIC_NAME) return { sort: "metric", metric };
    ctx.addIssue({
      code: "custom",
      message: `unknown sort '${v.slice(0, 40)}' (use ${SORT_KEYS.join(", ")}, metric:<name> or similar:<path>)`,
    });
    return z.NEVER;
  });

/** `lo..hi`, either end open; numbers, or ISO dates (for date fields: epoch ms). */
export interface RangeFilter {
  lo: number;
  hi: number;
}

function rangeEnd(s: string, open: number): number | null {
  const t = s.trim();
  if (t === "") return open;
  const n = Number(t);
  if (Number.isFinite(n)) return n;
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const d = Date.parse(t);
    if (Number.isFinite(d)) return d;
  }
  return null;
}

function parseRange(v: string): RangeFilter | string {
  if (v.length > 100) return "range is too long";
  const at = v.indexOf("..");
  if (at < 0) return "use lo..hi (either end may be left out)";
  const lo = rangeEnd(v.slice(0, at), Number.NEGATIVE_INFINITY);
  const hi = rangeEnd(v.slice(at + 2), Number.POSITIVE_INFINITY);
  if (lo === null || hi === null) return "lo and hi must be numbers or ISO dates";
  if (lo > hi) return "lo must not be above hi";
  return { lo, hi };
}

function parseCategories(v: string): (string | null)[] | string {
  if (v.length > 2000) return "too many values";
  const out = [...new Set(v.split(","))].map((s) => (s === MISSING_CATEGORY ? null : s));
  if (out.length > 200) return "too many values";
  return out;
}

/** Gathers `m.<field>` and `c.<field>` parameters; a bad one is an issue naming that parameter. */
function fieldFilters(raw: Record<string, unknown>, ctx: z.RefinementCtx) {
  const ranges: Record<string, RangeFilter> = {};
  const cats: Record<string, (string | null)[]> = {};
  let n = 0;
  for (const [key, value] of Object.entries(raw)) {
    const isRange = key.startsWith(RANGE_PREFIX);
    if (!isRange && !key.startsWith(CATEGORY_PREFIX)) continue;
    const name = key.slice(2);
    const fail = (message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if (name === "" || name.length > MAX_METRIC_NAME) {
      fail("needs a field name of at most 128 characters");
      continue;
    }
    if (typeof value !== "string") {
      fail("must be text");
      continue;
    }
    if (++n > MAX_FIELD_FILTERS) {
      fail(`at most ${MAX_FIELD_FILTERS} field filters`);
      break;
    }
    const parsed = isRange ? parseRange(value) : parseCategories(value);
    if (typeof parsed === "string") fail(parsed);
    else if (isRange) ranges[name] = parsed as RangeFilter;
    else cats[name] = parsed as (string | null)[];
  }
  return { ranges, cats };
}

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
    /** Stacks in the grid (M6): `stack=bursts` or `stack=duplicates`; empty or absent: off. */
    stack: z
      .enum(["", ...STACK_KINDS])
      .default("")
      .transform((v) => (v === "" ? null : v)),
    /** The stack shown open: the path of any of its images (M6). */
    expand: canonical.optional(),
  })
  .catchall(z.unknown())
  .transform(
    (
      {
        sort,
        folder,
        recursive,
        q,
        dir,
        stars,
        tag,
        seed,
        sel,
        size,
        view,
        flag,
        color,
        stack,
        expand,
        ...extra
      },
      ctx,
    ) => ({
      folder,
      recursive,
      q,
      dir,
      stars,
      tag,
      seed,
      sel,
      size,
      view,
      flag,
      color,
      stack,
      expand: stack ? expand : undefined,
      sort: sort.sort,
      metric: sort.metric,
      similar: sort.similar,
      // Unknown parameters are ignored, as before; `m.*` and `c.*` are field filters.
      ...fieldFilters(extra, ctx),
    }),
  );
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
  else if (s.sort === "similar") p.set("sort", `${SIMILAR_SORT_PREFIX}${s.similar}`);
  else if (s.sort !== "name") p.set("sort", s.sort);
  if (s.dir !== "asc") p.set("dir", s.dir);
  if (s.stars.length) p.set("stars", s.stars.join(","));
  if (s.flag.length) p.set("flag", s.flag.join(","));
  if (s.color.length) p.set("color", s.color.join(","));
  if (s.tag) p.set("tag", s.tag);
  for (const [name, r] of Object.entries(s.ranges ?? {}))
    p.set(`${RANGE_PREFIX}${name}`, `${rangeText(r.lo)}..${rangeText(r.hi)}`);
  for (const [name, values] of Object.entries(s.cats ?? {}))
    p.set(`${CATEGORY_PREFIX}${name}`, values.map((v) => v ?? MISSING_CATEGORY).join(","));
  if (s.sort === "random") p.set("seed", String(s.seed));
  if (s.stack) p.set("stack", s.stack);
  if (s.stack && s.expand) p.set("expand", s.expand);
  if (s.sel) p.set("sel", s.sel);
  if (s.size !== CARD_SIZES.default) p.set("size", String(s.size));
  if (s.view && s.sel) p.set("view", "1");
  return p;
}

const rangeText = (v: number) => (Number.isFinite(v) ? String(v) : "");

export function browseHref(q: BrowseQuery, overrides: Partial<BrowseQuery> = {}): string {
  const qs = browseParams(q, overrides).toString();
  return qs ? `/?${qs}` : "/";
}
