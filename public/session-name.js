// @ts-check
// The display name with access control on: chosen when the invite was opened, bound to the session,
// changed only through the server (PATCH /access/me), which tells presence at once.

/** True when the page was served to a session (access control on). */
export function nameIsTheSessions() {
  return document.getElementById("app")?.dataset.access === "token";
}

/**
 * Renames this session's person; resolves to the name the server kept, or null (the reason is shown).
 * @param {string} name
 * @returns {Promise<string | null>}
 */
export async function renameSession(name) {
  const res = await fetch("/access/me", {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  /** @type {{ name?: string, message?: string }} */
  const body = await res.json().catch(() => ({}));
  if (res.ok && body.name) return body.name;
  const field = /** @type {HTMLInputElement | null} */ (document.getElementById("whoami-name"));
  field?.setCustomValidity(`Not changed: ${body.message ?? res.status}`);
  field?.reportValidity();
  field?.addEventListener("input", () => field.setCustomValidity(""), { once: true });
  return null;
}
