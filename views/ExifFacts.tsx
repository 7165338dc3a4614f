/** @jsxImportSource hono/jsx */
/** The inspector's EXIF lines (spec M1) and where the labels came from (spec X1). */
import { exposureText } from "../src/media/exif.ts";
import type { ItemDetails } from "./model.ts";

export function ExifFacts({ item }: { item: ItemDetails }) {
  const e = item.exif;
  const source =
    item.updatedBy === "XMP sidecar" || item.updatedBy === "XMP in image" ? item.updatedBy : null;
  return (
    <>
      {e && (
        <dl class="facts exif">
          {e.camera && (
            <>
              <dt>Camera</dt>
              <dd>{e.camera}</dd>
            </>
          )}
          {e.lens && (
            <>
              <dt>Lens</dt>
              <dd>{e.lens}</dd>
            </>
          )}
          {(e.exposure || e.aperture || e.iso || e.focal) && (
            <>
              <dt>Exposure</dt>
              <dd>
                {[
                  e.exposure ? exposureText(e.exposure) : null,
                  e.aperture ? `f/${e.aperture}` : null,
                  e.iso ? `ISO ${e.iso}` : null,
                  e.focal ? `${e.focal} mm` : null,
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </dd>
            </>
          )}
          {e.taken && (
            <>
              <dt>Taken</dt>
              <dd>{e.taken.replace("T", " ")}</dd>
            </>
          )}
        </dl>
      )}
      {source && (
        <p class="label-source" role="note">
          Labels from {source === "XMP sidecar" ? "its XMP sidecar" : "XMP in the image"}
        </p>
      )}
    </>
  );
}
