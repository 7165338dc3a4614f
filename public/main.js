// @ts-check
// The page's one script entry: the server serves it bundled and minified as /static/bundle.js
// (src/routes/static.ts), so the first load is one small file; every module stays readable here.
import "./app.js";
import "./live.js";
