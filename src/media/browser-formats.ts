/**
 * Which indexed formats a browser shows as they are, and which the viewer gets as a
 * server-made display image instead (src/media/thumbnails.ts at the viewer's size).
 * Pure: decided by the file name, as the index decides what it holds.
 */

/** Long edge of a display image: a 1440p screen at 1:1, a 4K one at half. */
export const DISPLAY_LONG_EDGE = 2560;
export const DISPLAY_QUALITY = 82;

/**
 * Formats every current browser decodes in an `<img>`. Anything else the index holds (TIFF;
 * SVG, which must never run as a document of this origin) is shown through `/display`.
 */
const BROWSER_SHOWS = new Set(["jpg", "jpeg", "jpe", "png", "webp", "gif", "avif"]);

/** Formats whose originals are never served inline: a scripted SVG must not run on this origin. */
const NEVER_INLINE = new Set(["svg"]);

function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

export function browserShows(name: string): boolean {
  return BROWSER_SHOWS.has(extension(name));
}

export function neverInline(name: string): boolean {
  return NEVER_INLINE.has(extension(name));
}
