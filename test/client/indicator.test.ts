/** The indicator precedence (P-rule in docs/spec.md): one test per branch, plus coherence. */
import { describe, expect, test } from "bun:test";
import { indicatorState, RECENT_MS, SAVE_STALE_MS } from "../../public/indicator.js";

const now = 1_000_000;
const base = { connection: "live" as const, viewing: 3, editing: 1, now };

describe("U10: indicatorState precedence: offline > unstable > recent > editing > live", () => {
  test("offline wins over everything", () => {
    const s = indicatorState({
      ...base,
      connection: "offline",
      saveFailed: true,
      lastRemoteEditAt: now,
    });
    expect(s.state).toBe("offline");
    expect(s.label).toBe("Offline — checking every 15 s");
  });
  test("reconnecting is unstable, and hides counts it cannot vouch for", () => {
    const s = indicatorState({ ...base, connection: "reconnecting", lastRemoteEditAt: now });
    expect(s).toMatchObject({ state: "unstable", label: "Reconnecting…", count: "…" });
  });
  test("polling is unstable", () => {
    expect(indicatorState({ ...base, polling: true }).state).toBe("unstable");
  });
  test("a failed save is unstable", () => {
    expect(indicatorState({ ...base, saveFailed: true, lastRemoteEditAt: now })).toMatchObject({
      state: "unstable",
      label: "Not saved — Retry",
    });
  });
  test("a save pending for more than 10 s is unstable; less is not", () => {
    expect(indicatorState({ ...base, oldestPendingSaveAt: now - SAVE_STALE_MS - 1 }).state).toBe(
      "unstable",
    );
    expect(indicatorState({ ...base, oldestPendingSaveAt: now - 100 }).state).toBe("editing");
  });
  test("a remote edit within 6 s is recent; older is not", () => {
    expect(indicatorState({ ...base, lastRemoteEditAt: now - 100 }).state).toBe("recent");
    expect(indicatorState({ ...base, lastRemoteEditAt: now - RECENT_MS - 1 }).state).toBe(
      "editing",
    );
  });
  test("someone editing", () => {
    expect(indicatorState(base)).toMatchObject({
      state: "editing",
      count: "3 here",
      detail: "1 editing · 2 viewing",
    });
  });
  test("live", () => {
    expect(indicatorState({ ...base, editing: 0 })).toMatchObject({
      state: "live",
      label: "Live",
      detail: "0 editing · 3 viewing",
    });
  });
});

test("U13: the pill counts people; the detail adds their tabs", () => {
  expect(indicatorState({ ...base, viewing: 2, editing: 1, sessions: 11 })).toMatchObject({
    count: "2 here",
    detail: "1 editing · 1 viewing · 11 tabs",
  });
  expect(indicatorState({ ...base, viewing: 1, editing: 0, sessions: 1 }).detail).toBe(
    "0 editing · 1 viewing · 1 tab",
  );
  // Not live: neither count is vouched for.
  expect(
    indicatorState({ ...base, connection: "reconnecting", sessions: 11 }).detail,
  ).not.toContain("tabs");
});

test("U10: the dot, the words and the numbers never contradict each other", () => {
  for (const connection of ["live", "reconnecting", "offline"] as const) {
    for (const editing of [0, 1, 2]) {
      for (const recent of [null, now - 10, now - RECENT_MS * 2]) {
        const s = indicatorState({
          connection,
          viewing: 2,
          editing,
          lastRemoteEditAt: recent,
          now,
        });
        if (s.state === "editing") expect(s.detail.startsWith("0 editing")).toBe(false);
        if (connection !== "live") expect(s.count).toBe("…");
        if (s.state === "live") expect(s.detail.startsWith("0 editing")).toBe(true);
      }
    }
  }
});
