// @ts-check
// The page's one script entry: the server serves it bundled and minified as /static/bundle.js
// (src/routes/static.ts), so the first load is one small file; every module stays readable here.
import "./app.js";
import "./live.js";
// Culling keys (P/X/U, 6–9, V) and auto-advance.
import "./cull-keys.js";
// Compare 2–4 images side by side (C) and Bursts / Duplicates open here; they load on first use
// (public/on-demand.js). The status bar's hashing progress.
import "./openers.js";
import "./hash-status.js";
// Stacks in the grid: G stacks bursts / duplicates, E (or a stack's count) opens one in place.
import "./stacks.js";
// Team access: each does nothing on a page without its part (people list, access control on, Share dialog).
import "./people.js";
import "./access.js";
import "./share.js";
// The Metrics panel: histograms and value counts of the view, brushed to filter (D18).
import "./metrics-panel.js";
// Saved views: the tree's Views section and naming the current view (D20).
import "./saved-views.js";
