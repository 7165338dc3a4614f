/** @jsxImportSource hono/jsx */
/**
 * What a page with access control on may have to tell its person (public/access.js shows them):
 * that their access ended (a revoked session: the page stops, nothing more is sent), and the short
 * hint a viewer gets for a key that would rate.
 */
export function AccessNotices() {
  return (
    <>
      <dialog
        id="access-ended"
        class="access-ended"
        role="alertdialog"
        aria-labelledby="access-ended-title"
        aria-describedby="access-ended-text"
      >
        <h2 id="access-ended-title">Your access was ended by an admin</h2>
        <p id="access-ended-text">
          This page no longer receives or saves anything. Ask the person who runs Lenslet for a new
          link.
        </p>
      </dialog>
      <div id="role-hint" class="role-hint" role="status" aria-live="polite" hidden />
    </>
  );
}
