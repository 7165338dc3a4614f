/**
 * The tile shown instead of a thumbnail when a file cannot be decoded: a
 * static SVG (no file names in it, so nothing to escape) that reads clearly at
 * any card size.
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" aria-label="Cannot decode this image">
<rect width="256" height="256" fill="#2a2d33"/>
<rect x="72" y="56" width="112" height="92" rx="8" fill="none" stroke="#9aa3ad" stroke-width="8"/>
<path d="M84 132l28-30 20 20 14-12 26 22" fill="none" stroke="#9aa3ad" stroke-width="8" stroke-linejoin="round"/>
<path d="M64 48l128 108" stroke="#e5534b" stroke-width="10" stroke-linecap="round"/>
<text x="128" y="196" text-anchor="middle" font-family="system-ui, sans-serif" font-size="22" font-weight="600" fill="#e6e8eb">Can't decode</text>
<text x="128" y="222" text-anchor="middle" font-family="system-ui, sans-serif" font-size="15" fill="#9aa3ad">file is damaged or unsupported</text>
</svg>`;

export function failedThumbnailSvg(): string {
  return SVG;
}
