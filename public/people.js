// @ts-check
// Who is here, by name: the presence pill (and the People button beside it) open a list of people,
// not tabs (name, role, folder), rendered by the server (GET /presence/people). While it is open it
// follows every presence change; a name is a link to that person's folder.
const panel = document.getElementById("people-panel");
const REFRESH_MS = 200;

function isOpen() {
  return panel?.matches(":popover-open") ?? false;
}

function load() {
  window.htmx?.ajax("GET", "/presence/people", {
    source: "#people-list",
    target: "#people-list",
    swap: "innerHTML",
  });
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
function loadSoon() {
  clearTimeout(timer);
  timer = setTimeout(load, REFRESH_MS);
}

panel?.addEventListener("toggle", (e) => {
  if (/** @type {ToggleEvent} */ (e).newState === "open") load();
});
document.addEventListener("lenslet:presence", () => {
  if (isOpen()) loadSoon();
});
document.addEventListener("lenslet:rename", () => {
  if (isOpen()) loadSoon();
});

document.addEventListener("click", (e) => {
  const t = e.target instanceof Element ? e.target : null;
  // The pill itself opens the list too.
  if (t?.closest("#presence")) {
    panel?.togglePopover();
    return;
  }
  // Going to someone's folder: the list has done its job.
  if (t?.closest("#people-panel .person-link") && isOpen()) panel?.hidePopover();
});
document.getElementById("presence")?.addEventListener("keydown", (e) => {
  if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    panel?.togglePopover();
  }
});
