// @ts-check
// The save status in words, from what is unsaved, by precedence:
//   failed (kept for a retry, refused, or the disk says so) > saving (in flight, or typed and not yet sent)
//   > waiting (a conflict box open for the person's choice) > saved.
// Pure, so "All changes saved" can only show when nothing is unsaved. Tested in test/client/save-status.test.ts.

/**
 * @param {{
 *   kept?: number,          // writes that failed and are kept to be re-sent with their keys
 *   error?: string | null,  // why the last write failed ("" = no reason known); null when nothing failed since
 *   saving?: number,        // writes in flight plus texts typed and not yet sent
 *   waiting?: number,       // conflicts waiting for the person's choice
 *   started?: boolean,      // anything was edited on this page (before that the status says nothing)
 * }} s
 * @returns {{ state: "idle" | "saved" | "saving" | "waiting" | "failed", label: string }}
 */
export function saveStatus(s) {
  if (s.kept || s.error != null)
    return { state: "failed", label: `Not saved — Retry${s.error ? ` (${s.error})` : ""}` };
  if (s.saving) return { state: "saving", label: "Saving…" };
  if (s.waiting) {
    const n = s.waiting;
    return {
      state: "waiting",
      label: `${n} change${n === 1 ? "" : "s"} waiting for your choice`,
    };
  }
  if (!s.started) return { state: "idle", label: "" };
  return { state: "saved", label: "All changes saved" };
}

/** Something would be lost by leaving now (the browser asks first). @param {Parameters<typeof saveStatus>[0]} s */
export function unsaved(s) {
  return !!s.kept || !!s.saving || !!s.waiting;
}
