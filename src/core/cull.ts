/**
 * The culling vocabulary shared by labels, queries and pages: Lightroom's
 * flags and colour labels. Pure constants, so every layer can name them
 * without importing another's modules.
 */

/** A pick or a reject; an unflagged image has neither (null). */
export const FLAGS = ["pick", "reject"] as const;
export type FlagValue = (typeof FLAGS)[number];

/** Lightroom's colour labels in its key order: 6 red, 7 yellow, 8 green, 9 blue, then purple. */
export const COLORS = ["red", "yellow", "green", "blue", "purple"] as const;
export type ColorValue = (typeof COLORS)[number];
