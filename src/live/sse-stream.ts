/**
 * One subscriber's event stream with a bounded backlog. The bus hands it
 * events synchronously; it never waits for the client. Frames go straight
 * into the response stream while the socket keeps up; otherwise they wait in a
 * queue, and past the caps the stream ends (the client reconnects with its
 * Last-Event-ID and gets a replay or a resync). So a client that stops reading
 * costs a bounded amount of memory and slows nobody else down.
 */
import type { Subscriber } from "./bus.ts";
import type { Envelope } from "./protocol.ts";
import { commentFrame, eventFrame } from "./sse-frame.ts";

/** Live events a subscriber may fall behind by before its stream is ended. */
export const MAX_BACKLOG_EVENTS = 1000;
/** Bytes of live events a subscriber may fall behind by before its stream is ended. */
export const MAX_BACKLOG_BYTES = 1024 * 1024;
/**
 * Frames handed to the HTTP layer ahead of the socket. Bun takes whatever the
 * stream holds when it reads, so this also bounds Bun's own buffer per client.
 * Counted in frames, not bytes: a size function costs Bun ~4 KB per stream.
 */
export const STREAM_HIGH_WATER_FRAMES = 16;

export type StreamEndReason = "client" | "backlog" | "shutdown";

export interface SseStreamOptions {
  maxBacklogEvents?: number;
  maxBacklogBytes?: number;
  highWaterFrames?: number;
  /** Called once when the stream ends, with why. */
  onEnd?: (reason: StreamEndReason) => void;
}

/** A FIFO of frames with O(1) shift. */
class FrameQueue {
  private items: Uint8Array[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(frame: Uint8Array): void {
    this.items.push(frame);
    this.bytes += frame.byteLength;
  }

  shift(): Uint8Array | undefined {
    if (this.head >= this.items.length) return undefined;
    const frame = this.items[this.head]!;
    this.items[this.head++] = EMPTY;
    this.bytes -= frame.byteLength;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

const EMPTY = new Uint8Array(0);

export class SseStream implements Subscriber {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  /** Handshake and replay: ahead of live events, bounded by the ring, not by the caps. */
  private readonly preface = new FrameQueue();
  /** Live frames the client has not taken yet. */
  private readonly backlog = new FrameQueue();
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly onEnd: (reason: StreamEndReason) => void;
  private endReason: StreamEndReason | null = null;

  constructor(opts: SseStreamOptions = {}) {
    this.maxEvents = opts.maxBacklogEvents ?? MAX_BACKLOG_EVENTS;
    this.maxBytes = opts.maxBacklogBytes ?? MAX_BACKLOG_BYTES;
    this.onEnd = opts.onEnd ?? (() => {});
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.flush(),
        cancel: () => this.finish("client"),
      },
      { highWaterMark: opts.highWaterFrames ?? STREAM_HIGH_WATER_FRAMES },
    );
  }

  /** Live frames waiting for the client (what the caps bound). */
  get backlogEvents(): number {
    return this.backlog.length;
  }

  get backlogBytes(): number {
    return this.backlog.bytes;
  }

  /** Handshake/replay frames waiting for the client. */
  get prefaceEvents(): number {
    return this.preface.length;
  }

  get ended(): boolean {
    return this.endReason !== null;
  }

  get endedBecause(): StreamEndReason | null {
    return this.endReason;
  }

  /** Queues a handshake or replay frame ahead of every live one. */
  preload(frame: Uint8Array): void {
    if (this.endReason) return;
    this.preface.push(frame);
    this.flush();
  }

  /** Bus delivery. False means "over the caps": the bus drops us and calls close("backlog"). */
  send(env: Envelope): boolean {
    return this.push(eventFrame(env));
  }

  /** A comment (heartbeat). Past the caps it ends the stream itself. */
  comment(text: string): void {
    if (!this.push(commentFrame(text))) this.finish("backlog");
  }

  /** Bus says we are dropped (backlog) or the server is shutting down. */
  close(reason: "backlog" | "shutdown"): void {
    this.finish(reason);
  }

  /** Ends the stream from the server side (e.g. shutdown of this one route). */
  end(): void {
    this.finish("shutdown");
  }

  private push(frame: Uint8Array): boolean {
    if (this.endReason) return false;
    if (this.preface.length === 0 && this.backlog.length === 0 && this.hasRoom()) {
      this.controller.enqueue(frame);
      return true;
    }
    this.backlog.push(frame);
    if (this.backlog.length > this.maxEvents || this.backlog.bytes > this.maxBytes) return false;
    this.flush();
    return true;
  }

  private hasRoom(): boolean {
    const size = this.controller.desiredSize;
    return size !== null && size > 0;
  }

  private flush(): void {
    if (this.endReason) return;
    while (this.hasRoom()) {
      const frame = this.preface.shift() ?? this.backlog.shift();
      if (!frame) return;
      this.controller.enqueue(frame);
    }
  }

  private finish(reason: StreamEndReason): void {
    if (this.endReason) return;
    this.endReason = reason;
    // Drop what the client never took: that is the memory a stalled client would pin.
    this.preface.clear();
    this.backlog.clear();
    if (reason !== "client") {
      try {
        this.controller.close();
      } catch {
        // The client already went away.
      }
    }
    this.onEnd(reason);
  }
}
