// @ts-check
// What the page loads on first use rather than at start (issue 10: the first load stays ≤ 50 KB gzip).
// Each `import("./x.js")` here is built as its own file, /static/x.min.js (src/routes/client-build.ts), and
// shares the first load's modules (page-state, writes, …) instead of carrying copies. A feature with its own
// stylesheet (public/x.css) gets it before its module resolves, so nothing shows unstyled.

/** @type {Map<string, Promise<void>>} */
const sheets = new Map();
/** Loads /static/<name>.min.css once; resolves when it applies (or failed: the feature still works). */
/** @param {string} name */
function sheet(name) {
  let p = sheets.get(name);
  if (!p) {
    p = new Promise((resolve) => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = `/static/${name}.min.css`;
      link.onload = link.onerror = () => resolve();
      document.head.append(link);
    });
    sheets.set(name, p);
  }
  return p;
}

/**
 * @template T
 * @param {Promise<T>} module @param {string} [style]
 * @returns {Promise<T>}
 */
async function withSheet(module, style) {
  const [m] = await Promise.all([module, style ? sheet(style) : undefined]);
  return m;
}

/** Compare 2–4 images side by side (M4). */
export const compare = () =>
  withSheet(
    // Its touch gestures (pinch, pan, double tap, swipe between frames) come with it.
    Promise.all([import("./compare.js"), import("./compare-touch.js")]).then(([m]) => m),
    "compare",
  );
/** Bursts / Duplicates (M5), which open groups in compare. */
export const groups = () => withSheet(import("./groups.js"), "compare");
/** The viewer's zoom, pan, pinch and swipe (U33). */
export const zoom = () => import("./zoom.js");
