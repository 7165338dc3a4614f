/** @jsxImportSource hono/jsx */

/**
 * "Find similar" (D19): a plain link to the whole gallery ordered by similarity to this image
 * (`sort=similar:<path>`), shown only for an image with an embedding.
 */
export function FindSimilar({ href }: { href: string | null | undefined }) {
  if (!href) return null;
  return (
    <a
      class="find-similar"
      href={href}
      data-action="find-similar"
      title="Show the whole gallery, most similar to this image first"
    >
      Find similar
    </a>
  );
}
