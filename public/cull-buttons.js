// @ts-check
// The flag and colour buttons (views/CullButtons.tsx) of the inspector, the viewer and each compare frame:
// what a press asks for (the image's own state again clears it) and showing a new state at once, before
// the answer or another person's edit re-renders them.

/**
 * @typedef {import("../src/labels/schema.ts").Flag} Flag
 * @typedef {import("../src/labels/schema.ts").Color} Color
 * @typedef {{ set_flag: Flag | null } | { set_color: Color | null }} CullFields
 */

/** @param {HTMLElement} b a `[data-cull]` button @returns {CullFields | null} */
export function cullFieldsOf(b) {
  const box = /** @type {HTMLElement | null} */ (b.closest(".cull-buttons"));
  const v = b.dataset.value ?? "";
  if (b.dataset.cull === "flag")
    return { set_flag: box?.dataset.flag === v ? null : /** @type {Flag} */ (v) };
  if (b.dataset.cull === "color")
    return { set_color: box?.dataset.color === v ? null : /** @type {Color} */ (v) };
  return null;
}

/**
 * Shows a flag and/or a colour on the buttons under `root` (a field left out stays as it is).
 * @param {ParentNode} root @param {{ flag?: string | null, color?: string | null }} labels
 */
export function showCull(root, labels) {
  for (const box of root.querySelectorAll(/** @type {"fieldset"} */ (".cull-buttons"))) {
    if ("flag" in labels) box.dataset.flag = labels.flag ?? "";
    if ("color" in labels) box.dataset.color = labels.color ?? "";
    for (const b of box.querySelectorAll(/** @type {"button"} */ ("button[data-cull]"))) {
      const now = b.dataset.cull === "flag" ? box.dataset.flag : box.dataset.color;
      const on = now === b.dataset.value;
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", String(on));
    }
  }
}
