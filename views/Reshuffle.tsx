/** @jsxImportSource hono/jsx */

/** Random order: the same view with a new seed (in the URL, so it is shareable and survives a reload). */
export function Reshuffle({ href }: { href: string | null }) {
  if (!href) return null;
  return (
    <a
      class="control reshuffle"
      href={href}
      hx-get={href}
      hx-target="#browse"
      hx-swap="outerHTML"
      hx-push-url="true"
      title="Shuffle again (a new random order)"
    >
      Reshuffle
    </a>
  );
}
