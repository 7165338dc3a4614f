// @ts-check
// The save status line and "leave anyway?": what is unsaved, gathered from the writes (in flight, kept,
// failed), the inspector (a note typed and not sent, conflicts awaiting a choice), and worded by the pure
// save-status.js. Recomputed on every notify("save"), so no lower module needs to know it exists.
import { conflictCount, unsentNotes } from "./inspector.js";
import { setSave, subscribe } from "./page-state.js";
import { saveStatus, unsaved } from "./save-status.js";
import { writeState } from "./writes.js";

/** Everything not saved yet: writes in flight or kept, text typed and not sent, conflicts awaiting a choice. */
function pendingWork() {
  const w = writeState();
  return {
    kept: w.kept,
    error: w.error,
    saving: w.inFlight + (unsentNotes() ? 1 : 0),
    waiting: conflictCount(),
    started: w.started,
  };
}

/** Shows the save status from what is unsaved now. */
export function refreshSaveStatus() {
  const s = saveStatus(pendingWork());
  setSave(s.state, s.label);
}
subscribe("save", refreshSaveStatus);
// Alpine (and its store) starts after this module: show what was already unsaved by then (a conflict offered
// again at load, U11).
document.addEventListener("alpine:initialized", () => refreshSaveStatus());

// Leaving with an edit not yet saved (in flight, kept for a retry, typed and not sent, or waiting in a conflict)
// would lose it: the browser asks first.
window.addEventListener("beforeunload", (e) => {
  if (unsaved(pendingWork())) e.preventDefault();
});
