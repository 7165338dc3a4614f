/** @jsxImportSource hono/jsx */

/**
 * What a link asked for and is not there any more (a folder, an image), said
 * above the grid; `replaceUrl` is the view shown instead, which the page puts
 * in the address bar (public/notices.js), so a reload shows what is here.
 */
export function Notices({ notices, replaceUrl }: { notices: string[]; replaceUrl: string }) {
  if (notices.length === 0) return null;
  return (
    <div class="notices" role="status" data-replace-url={replaceUrl}>
      {notices.map((n) => (
        <p class="notice">{n}</p>
      ))}
    </div>
  );
}
