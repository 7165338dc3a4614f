/** @jsxImportSource hono/jsx */
/**
 * Pick / reject and the five colour labels as buttons (spec U18), for the finger and the mouse what P, X,
 * U, 6–9 and V are for the keyboard. One component for the inspector, the viewer and each compare frame;
 * pressing the state an image has already clears it, as the keys toggle colours. public/cull-keys.js
 * sends the writes (public/compare.js inside compare).
 */
import type { Color, Flag } from "../src/labels/schema.ts";
import { refusedTitle } from "./format.ts";

const COLORS = ["red", "yellow", "green", "blue", "purple"] as const satisfies readonly Color[];
const COLOR_KEYS: Record<Color, string> = {
  red: "6",
  yellow: "7",
  green: "8",
  blue: "9",
  purple: "V",
};
const cap = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

export function CullButtons({
  flag,
  color,
  readOnly,
}: {
  flag: Flag | null;
  color: Color | null;
  /** Why writes from this page are refused: the buttons are disabled and say so. */
  readOnly?: string | null;
}) {
  const pressed = (on: boolean) => ({ class: on ? "on" : undefined, "aria-pressed": String(on) });
  return (
    <fieldset
      class="cull-buttons"
      data-flag={flag ?? ""}
      data-color={color ?? ""}
      disabled={!!readOnly}
      title={refusedTitle(readOnly)}
    >
      <legend class="sr-only">Flag and colour</legend>
      <button
        type="button"
        data-cull="flag"
        data-value="pick"
        aria-label="Pick"
        title="Pick (P; again to unflag)"
        {...pressed(flag === "pick")}
      >
        ⚑
      </button>
      <button
        type="button"
        data-cull="flag"
        data-value="reject"
        aria-label="Reject"
        title="Reject (X; again to unflag)"
        {...pressed(flag === "reject")}
      >
        ✕
      </button>
      {COLORS.map((c) => (
        <button
          type="button"
          class={color === c ? "swatch on" : "swatch"}
          data-cull="color"
          data-value={c}
          aria-label={`${cap(c)} label`}
          aria-pressed={String(color === c)}
          title={`${cap(c)} (${COLOR_KEYS[c]}; again to clear)`}
        />
      ))}
    </fieldset>
  );
}
