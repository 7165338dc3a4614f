/**
 * The text/event-stream wire format: one frame per event (`id:`, `event:`,
 * compact JSON `data:`), comments and the `retry:` hint. Pure; no I/O.
 */
import type { Envelope } from "./protocol.ts";

const encoder = new TextEncoder();
/** One encoding per event, shared by every subscriber it is sent to (and by replays). */
const frames = new WeakMap<Envelope, Uint8Array>();

export function formatEvent(env: Envelope): string {
  // JSON.stringify escapes line breaks inside strings, so the data is one line.
  const id = env.local ? "" : `id: ${env.id}\n`;
  return `${id}event: ${env.event.type}\ndata: ${JSON.stringify(env.event.data)}\n\n`;
}

/** The encoded frame of an envelope, computed once per envelope. */
export function eventFrame(env: Envelope): Uint8Array {
  let frame = frames.get(env);
  if (!frame) {
    frame = encoder.encode(formatEvent(env));
    frames.set(env, frame);
  }
  return frame;
}

/** A comment line (ignored by clients, keeps proxies and idle timers from closing the stream). */
export function commentFrame(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`);
}

export function retryFrame(ms: number): Uint8Array {
  return encoder.encode(`retry: ${Math.max(0, Math.floor(ms))}\n\n`);
}

/**
 * Parses a client's last event id (header or query). Absent or empty → null;
 * anything but a plain decimal integer → NaN, which the bus answers with a resync.
 */
export function parseLastEventId(raw: string | null | undefined): number | null {
  if (raw === undefined || raw === null) return null;
  const text = raw.trim();
  if (text === "") return null;
  if (!/^\d{1,16}$/.test(text)) return Number.NaN;
  return Number(text);
}
