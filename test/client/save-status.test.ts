/** The save status in words (spec U7, U12): one test per branch of the precedence. */
import { describe, expect, test } from "bun:test";
import { saveStatus, unsaved } from "../../public/save-status.js";

describe("U12: saveStatus precedence: failed > saving > waiting > saved", () => {
  test("nothing edited yet says nothing", () => {
    expect(saveStatus({})).toEqual({ state: "idle", label: "" });
  });
  test("all saved only when nothing is unsaved", () => {
    expect(saveStatus({ started: true })).toEqual({ state: "saved", label: "All changes saved" });
    expect(unsaved({ started: true })).toBe(false);
  });
  test("U12: one open conflict is a change waiting for the person's choice, not saved", () => {
    const s = { started: true, waiting: 1 };
    expect(saveStatus(s)).toEqual({ state: "waiting", label: "1 change waiting for your choice" });
    expect(unsaved(s)).toBe(true);
  });
  test("U12: several: the plural", () => {
    expect(saveStatus({ started: true, waiting: 3 }).label).toBe(
      "3 changes waiting for your choice",
    );
  });
  test("U11: text typed and not yet sent is saving, and leaving would lose it", () => {
    expect(saveStatus({ started: true, saving: 1, waiting: 1 })).toEqual({
      state: "saving",
      label: "Saving…",
    });
    expect(unsaved({ saving: 1 })).toBe(true);
  });
  test("U7: a failure wins over everything and names its reason", () => {
    expect(saveStatus({ kept: 1, saving: 2, waiting: 1, started: true })).toEqual({
      state: "failed",
      label: "Not saved — Retry",
    });
    expect(saveStatus({ error: "disk full", started: true }).label).toBe(
      "Not saved — Retry (disk full)",
    );
    // A refused write that cannot be retried is reported, but leaving loses nothing more.
    expect(unsaved({ error: "not found" })).toBe(false);
    expect(unsaved({ kept: 1 })).toBe(true);
  });
});
