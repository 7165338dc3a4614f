/** @jsxImportSource hono/jsx */
const KEYS: [string, string][] = [
  ["← ↑ → ↓  or  W A S D", "Move"],
  ["Home / End", "First / last image"],
  ["Page Up / Page Down", "A screenful up / down"],
  ["Shift + move / click", "Extend selection"],
  ["Ctrl/⌘ + click", "Add to or remove from selection"],
  ["Ctrl/⌘ + A", "Select all"],
  ["Enter", "Open viewer"],
  ["Esc", "Close viewer / clear selection"],
  ["0 – 5", "Rate the selection (0 clears)"],
  ["Shift + 0 – 5", "Rate and move to the next image"],
  ["P / X / U", "Pick / reject / unflag the selection"],
  ["6 7 8 9 / V", "Toggle red / yellow / green / blue / purple (violet)"],
  ["C", "Compare the 2–4 selected images (K keeps the one in focus)"],
  ["G", "Stacks: off → bursts → duplicates → off"],
  ["E  (or a stack's count)", "Open / close the current card's stack"],
  ["Caps Lock (or the Auto-advance switch)", "Move on after every flag, star or colour"],
  ["/", "Search"],
  ["T", "Tags of the selection"],
  ["N", "Notes of the selection"],
  ["Esc  (in a field)", "Back to the grid"],
  ["Backspace / Delete", "Parent folder"],
  ["Ctrl/⌘ + B", "Show / hide the folder tree"],
  ["← →  (viewer)", "Previous / next image"],
  ["?", "This help"],
];

export function Shortcuts() {
  return (
    <dialog id="shortcuts" class="shortcuts" aria-label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {KEYS.map(([k, v]) => (
            <tr>
              <td>
                <kbd>{k}</kbd>
              </td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">Shortcuts are off while you type in a field.</p>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
