// @ts-check
// The one sync/presence indicator state, by precedence:
//   offline > unstable (reconnecting, polling, save error, a save pending > 10 s)
//   > recent (a remote edit within the last 6 s) > editing > live.
// Pure: the dot, the words and the numbers all come from one call, so they
// can never contradict each other. Tested per branch in test/client/indicator.test.ts.

export const RECENT_MS = 6000;
export const SAVE_STALE_MS = 10_000;

/**
 * @param {{
 *   connection: "connecting" | "live" | "reconnecting" | "offline",
 *   polling?: boolean,
 *   saveFailed?: boolean,
 *   oldestPendingSaveAt?: number | null,
 *   lastRemoteEditAt?: number | null,
 *   viewing?: number | null,
 *   editing?: number | null,
 *   sessions?: number | null,   // tabs of the people viewing (viewing and editing count people)
 *   now: number,
 * }} s
 * @returns {{ state: "offline" | "unstable" | "connecting" | "recent" | "editing" | "live", label: string, count: string, detail: string }}
 */
export function indicatorState(s) {
  const known = s.connection === "live" && typeof s.viewing === "number";
  const viewing = known ? s.viewing : null;
  const editing = known ? (s.editing ?? 0) : null;
  const count = viewing === null ? "…" : `${viewing} here`;
  const tabs = known && typeof s.sessions === "number" ? s.sessions : null;
  const detail =
    viewing === null
      ? "Counts return when the connection is back"
      : `${editing} editing · ${Math.max(0, (viewing ?? 0) - (editing ?? 0))} viewing${tabs === null ? "" : ` · ${tabs} tab${tabs === 1 ? "" : "s"}`}`;
  // The first connection of a page is not a reconnection: no warning while it opens (U6).
  if (s.connection === "connecting" && !s.saveFailed) {
    return { state: "connecting", label: "Connecting…", count, detail };
  }
  if (s.connection === "offline") {
    return { state: "offline", label: "Offline — checking every 15 s", count, detail };
  }
  const saveStale = s.oldestPendingSaveAt != null && s.now - s.oldestPendingSaveAt > SAVE_STALE_MS;
  if (s.connection === "reconnecting" || s.polling || s.saveFailed || saveStale) {
    const label =
      s.connection === "reconnecting"
        ? "Reconnecting…"
        : s.polling
          ? "Polling"
          : s.saveFailed
            ? "Not saved — Retry"
            : "Saving is slow…";
    return { state: "unstable", label, count, detail };
  }
  if (s.lastRemoteEditAt != null && s.now - s.lastRemoteEditAt < RECENT_MS) {
    return { state: "recent", label: "Live — recent edits", count, detail };
  }
  if (editing && editing > 0) return { state: "editing", label: "Live — editing", count, detail };
  return { state: "live", label: "Live", count, detail };
}
