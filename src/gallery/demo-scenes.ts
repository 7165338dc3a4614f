/**
 * Deterministic SVG scenes for the demo gallery: each function draws one kind
 * of subject from a seeded random source, so the same seed always gives the
 * same picture and no network or asset files are needed.
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough for pictures. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SceneKind =
  | "mountains"
  | "sea"
  | "desert"
  | "birds"
  | "cats"
  | "fish"
  | "gradient"
  | "stripes"
  | "shapes"
  | "portrait"
  | "city"
  | "sticker";

const r1 = (n: number) => Math.round(n * 10) / 10;
const between = (r: Rng, lo: number, hi: number) => lo + r() * (hi - lo);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hsl = (h: number, s: number, l: number, a = 1) =>
  a === 1
    ? `hsl(${Math.round(h) % 360},${Math.round(s)}%,${Math.round(l)}%)`
    : `hsla(${Math.round(h) % 360},${Math.round(s)}%,${Math.round(l)}%,${a})`;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders one scene as a complete SVG document of w×h pixels. */
export function sceneSvg(
  kind: SceneKind,
  seed: number,
  w: number,
  h: number,
  caption: string | null,
): string {
  const r = rng(seed);
  const body = SCENES[kind](r, w, h);
  const cap = caption ? captionSvg(caption, w, h) : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}${cap}</svg>`;
}

function captionSvg(text: string, w: number, h: number): string {
  const fs = Math.max(10, Math.round(Math.min(w, h) / 22));
  const pad = Math.round(fs / 2);
  const bw = Math.min(w - 2 * pad, Math.round(text.length * fs * 0.62) + 2 * pad);
  return `<rect x="${pad}" y="${h - fs * 2 - pad}" width="${bw}" height="${fs * 2}" rx="${pad}" fill="rgba(0,0,0,0.45)"/><text x="${pad * 2}" y="${h - fs * 0.7 - pad}" font-family="DejaVu Sans, sans-serif" font-size="${fs}" fill="#fff">${escapeXml(text)}</text>`;
}

function skyGradient(id: string, top: string, bottom: string): string {
  return `<linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>`;
}

function sky(
  r: Rng,
  w: number,
  h: number,
): { defs: string; rect: string; hue: number; night: boolean } {
  const night = r() < 0.2;
  const dusk = !night && r() < 0.35;
  const hue = night ? between(r, 220, 260) : dusk ? between(r, 0, 40) : between(r, 190, 215);
  const top = night
    ? hsl(hue, 50, 10)
    : dusk
      ? hsl(hue + 260, 45, 35)
      : hsl(hue, 70, between(r, 45, 60));
  const bottom = night ? hsl(hue, 40, 25) : dusk ? hsl(hue + 20, 90, 65) : hsl(hue - 10, 60, 85);
  return {
    defs: skyGradient("sky", top, bottom),
    rect: `<rect width="${w}" height="${h}" fill="url(#sky)"/>`,
    hue,
    night,
  };
}

function sun(r: Rng, w: number, h: number, night: boolean): string {
  const cx = between(r, 0.15, 0.85) * w;
  const cy = between(r, 0.12, 0.4) * h;
  const rad = between(r, 0.04, 0.09) * Math.min(w, h) * 1.4;
  const fill = night ? "#f4f1de" : pick(r, ["#fff3b0", "#ffd166", "#ffe8a3"]);
  const glow = `<circle cx="${r1(cx)}" cy="${r1(cy)}" r="${r1(rad * 2)}" fill="${fill}" opacity="0.18"/>`;
  let stars = "";
  if (night) {
    for (let i = 0; i < 60; i++) {
      stars += `<circle cx="${r1(r() * w)}" cy="${r1(r() * h * 0.6)}" r="${r1(between(r, 0.5, 1.8) * (w / 800))}" fill="#fff" opacity="${r1(between(r, 0.4, 1))}"/>`;
    }
  }
  return `${stars}${glow}<circle cx="${r1(cx)}" cy="${r1(cy)}" r="${r1(rad)}" fill="${fill}"/>`;
}

/** A ridge line across the width, closed to the bottom. */
function ridge(
  r: Rng,
  w: number,
  h: number,
  base: number,
  amp: number,
  steps: number,
  jagged: boolean,
): string {
  let d = `M0 ${h} L0 ${r1(base)}`;
  for (let i = 1; i <= steps; i++) {
    const x = (i / steps) * w;
    const y = base - (jagged ? r() : Math.sin(i * 0.9 + r() * 2) * 0.5 + 0.5) * amp;
    d += jagged
      ? ` L${r1(x)} ${r1(y)}`
      : ` Q${r1(x - w / steps / 2)} ${r1(y - amp * 0.3)} ${r1(x)} ${r1(y)}`;
  }
  return `${d} L${w} ${h} Z`;
}

const SCENES: Record<SceneKind, (r: Rng, w: number, h: number) => string> = {
  mountains(r, w, h) {
    const s = sky(r, w, h);
    let out = `<defs>${s.defs}</defs>${s.rect}${sun(r, w, h, s.night)}`;
    const layers = 3 + Math.floor(r() * 3);
    const hue = between(r, 90, 260);
    for (let i = 0; i < layers; i++) {
      const base = h * (0.45 + (i / layers) * 0.45);
      const light = s.night ? 12 + i * 5 : 70 - i * 12;
      out += `<path d="${ridge(r, w, h, base, h * (0.35 - i * 0.05), 6 + i * 3, i < 2)}" fill="${hsl(hue + i * 8, 30 + i * 6, light)}"/>`;
    }
    for (let i = 0; i < 12; i++) {
      const x = r() * w;
      const y = h * between(r, 0.82, 0.98);
      const th = h * between(r, 0.05, 0.12);
      out += `<polygon points="${r1(x)},${r1(y - th)} ${r1(x - th / 3)},${r1(y)} ${r1(x + th / 3)},${r1(y)}" fill="${hsl(130, 35, s.night ? 8 : 22)}"/>`;
    }
    return out;
  },

  sea(r, w, h) {
    const s = sky(r, w, h);
    const horizon = h * between(r, 0.4, 0.6);
    const seaHue = between(r, 185, 215);
    let out = `<defs>${s.defs}${skyGradient("water", hsl(seaHue, 60, s.night ? 15 : 45), hsl(seaHue + 10, 70, s.night ? 5 : 20))}</defs>${s.rect}${sun(r, w, h, s.night)}`;
    out += `<rect y="${r1(horizon)}" width="${w}" height="${r1(h - horizon)}" fill="url(#water)"/>`;
    for (let i = 0; i < 14; i++) {
      const y = horizon + ((i + 1) / 15) * (h - horizon);
      const amp = 2 + i * 0.8;
      let d = `M0 ${r1(y)}`;
      for (let x = 0; x < w; x += w / 12)
        d += ` q${r1(w / 48)} ${r1(-amp)} ${r1(w / 24)} 0 t${r1(w / 24)} 0`;
      out += `<path d="${d}" stroke="#fff" stroke-opacity="${r1(0.15 + r() * 0.25)}" stroke-width="${r1(1 + i * 0.3)}" fill="none"/>`;
    }
    if (r() < 0.6) {
      const bx = between(r, 0.2, 0.8) * w;
      const by = horizon + (h - horizon) * 0.3;
      const bs = Math.min(w, h) * 0.08;
      out += `<path d="M${r1(bx - bs)} ${r1(by)} L${r1(bx + bs)} ${r1(by)} L${r1(bx + bs * 0.7)} ${r1(by + bs * 0.35)} L${r1(bx - bs * 0.7)} ${r1(by + bs * 0.35)} Z" fill="#5b3a29"/><path d="M${r1(bx)} ${r1(by)} L${r1(bx)} ${r1(by - bs * 1.4)} L${r1(bx + bs * 0.8)} ${r1(by - bs * 0.2)} Z" fill="#f8f4e3"/>`;
    }
    return out;
  },

  desert(r, w, h) {
    const s = sky(r, w, h);
    let out = `<defs>${s.defs}</defs>${s.rect}${sun(r, w, h, s.night)}`;
    for (let i = 0; i < 4; i++) {
      const base = h * (0.55 + i * 0.12);
      out += `<path d="${ridge(r, w, h, base, h * 0.12, 3 + i, false)}" fill="${hsl(between(r, 25, 40), 60, (s.night ? 25 : 70) - i * 8)}"/>`;
    }
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const x = between(r, 0.1, 0.9) * w;
      const y = h * between(r, 0.8, 0.95);
      const ch = h * between(r, 0.12, 0.25);
      const cw = ch * 0.16;
      const g = hsl(120, 35, s.night ? 12 : 30);
      out += `<rect x="${r1(x - cw / 2)}" y="${r1(y - ch)}" width="${r1(cw)}" height="${r1(ch)}" rx="${r1(cw / 2)}" fill="${g}"/>`;
      out += `<path d="M${r1(x - cw / 2)} ${r1(y - ch * 0.45)} h${r1(-cw)} v${r1(-ch * 0.3)}" stroke="${g}" stroke-width="${r1(cw * 0.7)}" fill="none" stroke-linecap="round"/>`;
      out += `<path d="M${r1(x + cw / 2)} ${r1(y - ch * 0.6)} h${r1(cw)} v${r1(-ch * 0.25)}" stroke="${g}" stroke-width="${r1(cw * 0.7)}" fill="none" stroke-linecap="round"/>`;
    }
    return out;
  },

  birds(r, w, h) {
    const s = sky(r, w, h);
    let out = `<defs>${s.defs}</defs>${s.rect}`;
    if (r() < 0.5) {
      // A flock far away.
      const n = 8 + Math.floor(r() * 20);
      for (let i = 0; i < n; i++) {
        const x = r() * w;
        const y = r() * h * 0.8;
        const sz = Math.min(w, h) * between(r, 0.015, 0.04);
        out += `<path d="M${r1(x - sz)} ${r1(y - sz * 0.4)} Q${r1(x - sz / 2)} ${r1(y - sz * 0.6)} ${r1(x)} ${r1(y)} Q${r1(x + sz / 2)} ${r1(y - sz * 0.6)} ${r1(x + sz)} ${r1(y - sz * 0.4)}" stroke="#1d1d24" stroke-width="${r1(sz / 5)}" fill="none"/>`;
      }
      return out;
    }
    // One bird on a branch.
    const cx = w * between(r, 0.35, 0.65);
    const cy = h * between(r, 0.45, 0.6);
    const s0 = Math.min(w, h) * between(r, 0.15, 0.22);
    const body = hsl(r() * 360, 70, 50);
    out += `<path d="M0 ${r1(cy + s0 * 0.9)} Q${r1(w / 2)} ${r1(cy + s0 * 0.7)} ${w} ${r1(cy + s0 * 1.1)}" stroke="#5b3a29" stroke-width="${r1(s0 * 0.12)}" fill="none"/>`;
    out += `<ellipse cx="${r1(cx)}" cy="${r1(cy)}" rx="${r1(s0)}" ry="${r1(s0 * 0.7)}" fill="${body}"/>`;
    out += `<path d="M${r1(cx - s0 * 0.9)} ${r1(cy)} l${r1(-s0 * 0.7)} ${r1(s0 * 0.5)} l${r1(s0 * 0.3)} ${r1(-s0 * 0.7)} Z" fill="${body}"/>`;
    out += `<ellipse cx="${r1(cx - s0 * 0.1)}" cy="${r1(cy + s0 * 0.05)}" rx="${r1(s0 * 0.55)}" ry="${r1(s0 * 0.35)}" fill="${hsl(r() * 360, 60, 35)}"/>`;
    out += `<circle cx="${r1(cx + s0 * 0.75)}" cy="${r1(cy - s0 * 0.55)}" r="${r1(s0 * 0.45)}" fill="${body}"/>`;
    out += `<circle cx="${r1(cx + s0 * 0.9)}" cy="${r1(cy - s0 * 0.65)}" r="${r1(s0 * 0.08)}" fill="#111"/>`;
    out += `<path d="M${r1(cx + s0 * 1.15)} ${r1(cy - s0 * 0.6)} l${r1(s0 * 0.35)} ${r1(s0 * 0.1)} l${r1(-s0 * 0.35)} ${r1(s0 * 0.12)} Z" fill="#f4a261"/>`;
    return out;
  },

  cats(r, w, h) {
    const bg = hsl(r() * 360, 35, 80);
    const fur = pick(r, ["#f4a261", "#6d6875", "#2b2d42", "#e9c46a", "#d4a373", "#fefae0"]);
    const cx = w / 2;
    const cy = h * 0.55;
    const s0 = Math.min(w, h) * 0.3;
    const eye = pick(r, ["#7fb800", "#ffb400", "#00a6ed"]);
    let out = `<rect width="${w}" height="${h}" fill="${bg}"/>`;
    out += `<polygon points="${r1(cx - s0 * 0.95)},${r1(cy - s0 * 0.3)} ${r1(cx - s0 * 0.8)},${r1(cy - s0 * 1.25)} ${r1(cx - s0 * 0.2)},${r1(cy - s0 * 0.8)}" fill="${fur}"/>`;
    out += `<polygon points="${r1(cx + s0 * 0.95)},${r1(cy - s0 * 0.3)} ${r1(cx + s0 * 0.8)},${r1(cy - s0 * 1.25)} ${r1(cx + s0 * 0.2)},${r1(cy - s0 * 0.8)}" fill="${fur}"/>`;
    out += `<ellipse cx="${r1(cx)}" cy="${r1(cy)}" rx="${r1(s0)}" ry="${r1(s0 * 0.85)}" fill="${fur}"/>`;
    for (const side of [-1, 1]) {
      out += `<ellipse cx="${r1(cx + side * s0 * 0.38)}" cy="${r1(cy - s0 * 0.15)}" rx="${r1(s0 * 0.16)}" ry="${r1(s0 * 0.2)}" fill="${eye}"/>`;
      out += `<ellipse cx="${r1(cx + side * s0 * 0.38)}" cy="${r1(cy - s0 * 0.15)}" rx="${r1(s0 * 0.05)}" ry="${r1(s0 * 0.17)}" fill="#111"/>`;
      for (const dy of [-0.05, 0.05]) {
        out += `<line x1="${r1(cx + side * s0 * 0.25)}" y1="${r1(cy + s0 * 0.25)}" x2="${r1(cx + side * s0 * 1.2)}" y2="${r1(cy + s0 * (0.2 + dy * 3))}" stroke="#222" stroke-width="${r1(s0 * 0.015 + 1)}"/>`;
      }
    }
    out += `<polygon points="${r1(cx - s0 * 0.1)},${r1(cy + s0 * 0.12)} ${r1(cx + s0 * 0.1)},${r1(cy + s0 * 0.12)} ${r1(cx)},${r1(cy + s0 * 0.25)}" fill="#e5989b"/>`;
    return out;
  },

  fish(r, w, h) {
    let out = `<defs>${skyGradient("deep", hsl(195, 70, 45), hsl(220, 80, 15))}</defs><rect width="${w}" height="${h}" fill="url(#deep)"/>`;
    for (let i = 0; i < 5; i++) {
      const x = r() * w;
      out += `<path d="M${r1(x)} ${h} q${r1(w * 0.03)} ${r1(-h * 0.15)} 0 ${r1(-h * between(r, 0.2, 0.45))}" stroke="${hsl(120, 45, 30)}" stroke-width="${r1(w * 0.01 + 2)}" fill="none"/>`;
    }
    const n = 1 + Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      const cx = between(r, 0.2, 0.8) * w;
      const cy = between(r, 0.2, 0.8) * h;
      const s0 = Math.min(w, h) * between(r, 0.06, 0.16);
      const dir = r() < 0.5 ? -1 : 1;
      const c = hsl(r() * 360, 85, 55);
      out += `<polygon points="${r1(cx - dir * s0 * 0.8)},${r1(cy)} ${r1(cx - dir * s0 * 1.5)},${r1(cy - s0 * 0.5)} ${r1(cx - dir * s0 * 1.5)},${r1(cy + s0 * 0.5)}" fill="${c}"/>`;
      out += `<ellipse cx="${r1(cx)}" cy="${r1(cy)}" rx="${r1(s0)}" ry="${r1(s0 * 0.55)}" fill="${c}"/>`;
      out += `<circle cx="${r1(cx + dir * s0 * 0.55)}" cy="${r1(cy - s0 * 0.12)}" r="${r1(s0 * 0.1)}" fill="#111"/>`;
    }
    for (let i = 0; i < 12; i++) {
      out += `<circle cx="${r1(r() * w)}" cy="${r1(r() * h)}" r="${r1(between(r, 2, 8) * (w / 800))}" fill="none" stroke="#fff" stroke-opacity="0.5"/>`;
    }
    return out;
  },

  gradient(r, w, h) {
    const h0 = r() * 360;
    const radial = r() < 0.4;
    const count = 3 + Math.floor(r() * 3);
    const stops = Array.from({ length: count }, (_, i) => {
      return `<stop offset="${r1(i / (count - 1))}" stop-color="${hsl(h0 + i * between(r, 25, 70), between(r, 55, 90), between(r, 35, 75))}"/>`;
    }).join("");
    const grad = radial
      ? `<radialGradient id="g" cx="${r1(r())}" cy="${r1(r())}" r="0.9">${stops}</radialGradient>`
      : `<linearGradient id="g" x1="0" y1="0" x2="${r1(r())}" y2="1">${stops}</linearGradient>`;
    return `<defs>${grad}</defs><rect width="${w}" height="${h}" fill="url(#g)"/>`;
  },

  stripes(r, w, h) {
    const h0 = r() * 360;
    const n = 6 + Math.floor(r() * 20);
    const angle = pick(r, [0, 15, 30, 45, 60, 90, -30, -45]);
    const d = Math.hypot(w, h);
    let out = `<rect width="${w}" height="${h}" fill="${hsl(h0, 30, 92)}"/><g transform="rotate(${angle} ${w / 2} ${h / 2})">`;
    for (let i = 0; i < n; i++) {
      const x = -d / 2 + w / 2 + (i / n) * d;
      out += `<rect x="${r1(x)}" y="${r1(h / 2 - d / 2)}" width="${r1((d / n) * between(r, 0.3, 0.7))}" height="${r1(d)}" fill="${hsl(h0 + i * 9, 70, 30 + (i % 3) * 15)}"/>`;
    }
    return `${out}</g>`;
  },

  shapes(r, w, h) {
    let out = `<rect width="${w}" height="${h}" fill="${hsl(r() * 360, 20, between(r, 10, 95))}"/>`;
    const n = 10 + Math.floor(r() * 30);
    for (let i = 0; i < n; i++) {
      const x = r() * w;
      const y = r() * h;
      const s0 = Math.min(w, h) * between(r, 0.03, 0.25);
      const c = hsl(r() * 360, 75, 55, r1(between(r, 0.5, 1)));
      const k = r();
      if (k < 0.4) out += `<circle cx="${r1(x)}" cy="${r1(y)}" r="${r1(s0)}" fill="${c}"/>`;
      else if (k < 0.7)
        out += `<rect x="${r1(x - s0)}" y="${r1(y - s0)}" width="${r1(s0 * 2)}" height="${r1(s0 * between(r, 0.5, 2))}" fill="${c}" transform="rotate(${Math.round(r() * 90)} ${r1(x)} ${r1(y)})"/>`;
      else
        out += `<polygon points="${r1(x)},${r1(y - s0)} ${r1(x - s0)},${r1(y + s0)} ${r1(x + s0)},${r1(y + s0)}" fill="${c}"/>`;
    }
    return out;
  },

  portrait(r, w, h) {
    const bg = hsl(r() * 360, 40, between(r, 55, 85));
    const skin = pick(r, ["#f1c27d", "#e0ac69", "#c68642", "#8d5524", "#ffdbac"]);
    const hair = pick(r, ["#2b1b17", "#6a4e42", "#b55239", "#e6c27a", "#1c1c1c", "#9e9e9e"]);
    const shirt = hsl(r() * 360, 55, 40);
    const cx = w / 2;
    const s0 = Math.min(w, h * 0.7) * 0.28;
    const cy = h * 0.42;
    let out = `<rect width="${w}" height="${h}" fill="${bg}"/>`;
    out += `<ellipse cx="${r1(cx)}" cy="${r1(h * 0.98)}" rx="${r1(s0 * 1.9)}" ry="${r1(h * 0.3)}" fill="${shirt}"/>`;
    out += `<rect x="${r1(cx - s0 * 0.3)}" y="${r1(cy + s0 * 0.7)}" width="${r1(s0 * 0.6)}" height="${r1(s0 * 0.6)}" fill="${skin}"/>`;
    out += `<ellipse cx="${r1(cx)}" cy="${r1(cy - s0 * 0.15)}" rx="${r1(s0 * 1.08)}" ry="${r1(s0 * 1.2)}" fill="${hair}"/>`;
    out += `<ellipse cx="${r1(cx)}" cy="${r1(cy)}" rx="${r1(s0 * 0.85)}" ry="${r1(s0 * 1.05)}" fill="${skin}"/>`;
    out += `<path d="M${r1(cx - s0 * 0.9)} ${r1(cy - s0 * 0.3)} Q${r1(cx)} ${r1(cy - s0 * 1.6)} ${r1(cx + s0 * 0.9)} ${r1(cy - s0 * 0.3)} Q${r1(cx)} ${r1(cy - s0 * 0.8)} ${r1(cx - s0 * 0.9)} ${r1(cy - s0 * 0.3)} Z" fill="${hair}"/>`;
    for (const side of [-1, 1]) {
      out += `<circle cx="${r1(cx + side * s0 * 0.32)}" cy="${r1(cy - s0 * 0.05)}" r="${r1(s0 * 0.08)}" fill="#222"/>`;
    }
    out += `<path d="M${r1(cx - s0 * 0.3)} ${r1(cy + s0 * 0.45)} Q${r1(cx)} ${r1(cy + s0 * (0.5 + r() * 0.25))} ${r1(cx + s0 * 0.3)} ${r1(cy + s0 * 0.45)}" stroke="#8a3b3b" stroke-width="${r1(s0 * 0.06)}" fill="none" stroke-linecap="round"/>`;
    return out;
  },

  city(r, w, h) {
    let out = `<defs>${skyGradient("night", hsl(240, 50, 8), hsl(270, 40, 25))}</defs><rect width="${w}" height="${h}" fill="url(#night)"/>`;
    for (let i = 0; i < 50; i++) {
      out += `<circle cx="${r1(r() * w)}" cy="${r1(r() * h * 0.5)}" r="${r1(between(r, 0.5, 1.5) * (w / 800) + 0.3)}" fill="#fff" opacity="${r1(between(r, 0.3, 1))}"/>`;
    }
    let x = 0;
    let windows = 0;
    while (x < w) {
      const bw = w * between(r, 0.05, 0.12);
      const bh = h * between(r, 0.25, 0.75);
      out += `<rect x="${r1(x)}" y="${r1(h - bh)}" width="${r1(bw)}" height="${r1(bh)}" fill="${hsl(230, 15, between(r, 10, 22))}"/>`;
      const ws = bw / 6;
      for (let wy = h - bh + ws; wy < h - ws && windows < 400; wy += ws * 2) {
        for (let wx = x + ws; wx < x + bw - ws; wx += ws * 2) {
          if (r() < 0.45) {
            out += `<rect x="${r1(wx)}" y="${r1(wy)}" width="${r1(ws)}" height="${r1(ws)}" fill="${pick(r, ["#ffd166", "#fcefb4", "#f7b267"])}"/>`;
            windows++;
          }
        }
      }
      x += bw + w * 0.005;
    }
    return out;
  },

  /** Shapes on a transparent background (no backdrop), for PNG/WebP with alpha. */
  sticker(r, w, h) {
    const c = hsl(r() * 360, 80, 55);
    const s0 = Math.min(w, h) * 0.4;
    const n = 5 + Math.floor(r() * 4);
    let pts = "";
    for (let i = 0; i < n * 2; i++) {
      const a = (Math.PI * i) / n - Math.PI / 2;
      const rad = i % 2 === 0 ? s0 : s0 * 0.45;
      pts += `${r1(w / 2 + Math.cos(a) * rad)},${r1(h / 2 + Math.sin(a) * rad)} `;
    }
    return `<polygon points="${pts.trim()}" fill="${c}" stroke="#fff" stroke-width="${r1(s0 * 0.05)}"/><circle cx="${w / 2}" cy="${h / 2}" r="${r1(s0 * 0.25)}" fill="#fff" fill-opacity="0.6"/>`;
  },
};
