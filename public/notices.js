// @ts-check
// A link to a folder or image that is no longer there shows the nearest view that
// is, with a notice (views/Notices.tsx). The address bar then names that view, so
// a reload or a shared link shows what is here. (htmx answers say it with HX-Replace-Url.)
const notice = /** @type {HTMLElement | null} */ (
  document.querySelector("#browse .notices[data-replace-url]")
);
if (notice) history.replaceState(history.state, "", notice.dataset.replaceUrl ?? null);
