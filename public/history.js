// @ts-check
// The browser's Back and Forward over the viewer: the entry an opened viewer adds (public/viewer.js)
// closes it on Back and opens it again on Forward, without reloading the page the grid shows.
import { browseEl } from "./page-state.js";
import { hideViewer, openViewer } from "./viewer.js";

/** A query without the parts that do not change what the grid shows. @param {string} qs */
function viewKey(qs) {
  const p = new URLSearchParams(qs);
  for (const k of ["sel", "view", "offset"]) p.delete(k);
  p.sort();
  return p.toString();
}

/** True when `location` shows the same view as the page: only the selection or the viewer differ. */
function sameView() {
  const shown = browseEl()?.dataset.query;
  return shown !== undefined && viewKey(location.search) === viewKey(shown);
}

window.addEventListener("popstate", () => {
  if (!sameView()) return; // another folder or filter: htmx restores that page
  const url = new URLSearchParams(location.search);
  const viewer = document.getElementById("viewer");
  if (viewer && url.get("view") !== "1") hideViewer();
  else if (!viewer && url.get("view") === "1" && url.get("sel"))
    openViewer(url.get("sel"), { push: false });
});

// htmx would re-fetch the whole page for an entry of the same view; the listener above handles it.
document.addEventListener("htmx:before:history:restore", (e) => {
  if (sameView()) e.preventDefault();
});
