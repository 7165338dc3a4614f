/**
 * Saved views (D20): a name for a filter + sort, kept in the workspace as
 * `views.json` (replaced atomically on each change, src/core/durable-file.ts),
 * or in memory when labels are (--no-write). Saving a name that exists
 * replaces that view, so a view is edited by saving it again.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileDurably } from "../core/durable-file.ts";

export const MAX_SAVED_VIEWS = 200;

export const SavedView = z.object({
  name: z.string().min(1).max(80),
  /** The browse query (no leading `?`): folder, filters, sort; never the selection or the viewer. */
  query: z.string().max(8192),
  created_by: z.string().nullable(),
  created_at: z.string(),
});
export type SavedView = z.infer<typeof SavedView>;

const ViewsFile = z.object({ version: z.literal(1), views: z.array(SavedView) });

export class SavedViews {
  private views: SavedView[] = [];
  private readonly file: string | null;

  /** `dir`: the workspace when it persists, else null (memory only). */
  constructor(dir: string | null) {
    this.file = dir ? join(dir, "views.json") : null;
    if (this.file && existsSync(this.file)) {
      // A damaged file is set aside by the next save, never a crash: views are a convenience.
      const parsed = ViewsFile.safeParse(safeJson(readFileSync(this.file, "utf8")));
      if (parsed.success) this.views = parsed.data.views;
    }
  }

  /** By name, case-insensitively. */
  list(): readonly SavedView[] {
    return this.views;
  }

  /** Adds or replaces the view of that name; false when there are already MAX_SAVED_VIEWS others. */
  save(view: SavedView): boolean {
    const rest = this.views.filter((v) => v.name !== view.name);
    if (rest.length >= MAX_SAVED_VIEWS) return false;
    const next = [...rest, view].sort((a, b) =>
      a.name.localeCompare(b.name, undefined, { sensitivity: "base" }),
    );
    if (this.file)
      writeFileDurably(this.file, `${JSON.stringify({ version: 1, views: next }, null, 1)}\n`);
    this.views = next;
    return true;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
