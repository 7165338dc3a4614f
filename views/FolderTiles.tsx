/** @jsxImportSource hono/jsx */
import { placeholderColor, plural } from "./format.ts";
import type { FolderTileModel } from "./model.ts";

/**
 * A folder's subfolders as tiles in the grid, when the folder has no images of its own, so
 * "open a subfolder" always has one to open (on a phone the tree is a closed drawer).
 */
export function FolderTiles({ tiles, more }: { tiles: FolderTileModel[]; more: number }) {
  return (
    <>
      <ul class="folder-tiles" aria-label="Subfolders">
        {tiles.map((t) => (
          <li>
            <a
              class="folder-tile"
              href={t.href}
              hx-get={t.href}
              hx-target="#browse"
              hx-swap="outerHTML"
              hx-push-url="true"
              data-folder={t.path}
            >
              <span class="tile-thumb" style={`background-color:${placeholderColor(t.path)}`}>
                {t.thumbUrl ? (
                  <img src={t.thumbUrl} alt="" loading="lazy" decoding="async" />
                ) : (
                  <span class="tile-empty" aria-hidden="true">
                    ▱
                  </span>
                )}
              </span>
              <span class="tile-name" title={t.path}>
                {t.name}
              </span>
              <span class="tile-count muted">{plural(t.images, "image")}</span>
            </a>
          </li>
        ))}
      </ul>
      {more > 0 && <p class="muted tiles-more">and {plural(more, "more folder")} in the tree</p>}
    </>
  );
}
