/**
 * Small formatting helpers, one home for each text the page shows (stars, times, sizes). Pure and free of
 * Bun or DOM APIs: the server's views and the page's client (public/, through the bundle) import the same.
 */

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

/** "just now", "2 min ago", "3 h ago", "5 days ago". */
export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export function starText(star: number | null | undefined): string {
  const n = star ?? 0;
  return "★".repeat(n) + "☆".repeat(5 - n);
}

/** A rating in words, for names and titles: "Unrated", "1 star", "4 stars". */
export function starsName(star: number | null | undefined): string {
  return star ? `${star} star${star === 1 ? "" : "s"}` : "Unrated";
}

/** Text escaped for HTML, as hono/jsx escapes it (so a fragment built here equals one rendered there). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>'"]/g, (ch) => ESCAPES[ch]!);
}
const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "'": "&#39;",
  '"': "&quot;",
};

/** A stable muted colour per path, shown until the thumbnail arrives. */
export function placeholderColor(path: string): string {
  let h = 0;
  for (let i = 0; i < path.length; i++) h = (h * 31 + path.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 18% 24%)`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Why edits will not be saved, as a control's tooltip (undefined when they will). */
export const refusedTitle = (readOnly: string | null | undefined) =>
  readOnly ? `Not saved from this page: ${readOnly}` : undefined;
