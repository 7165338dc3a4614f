// @ts-check
// Lightroom's auto-advance (spec U18): after a flag, star or colour the cursor moves to the next
// image while the switch is on (kept in localStorage) or Caps Lock is down, as in Lightroom.

const KEY = "lenslet.autoAdvance";

/** @returns {HTMLInputElement | null} */
function toggle() {
  return /** @type {HTMLInputElement | null} */ (document.getElementById("auto-advance"));
}

/** @param {KeyboardEvent} e */
export function autoAdvanceOn(e) {
  return localStorage.getItem(KEY) === "on" || e.getModifierState?.("CapsLock") === true;
}

const el = toggle();
if (el) {
  el.checked = localStorage.getItem(KEY) === "on";
  el.addEventListener("change", () => {
    localStorage.setItem(KEY, el.checked ? "on" : "off");
    // Give the keys back at once: a focused checkbox counts as typing for the shortcuts.
    el.blur();
  });
}
