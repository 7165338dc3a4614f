/**
 * A small SSE client for tests and benchmarks: a real streaming `fetch`, parsed
 * by hand (no EventSource in Bun), so tests see exactly the bytes the server sent.
 *
 *   const sse = await connectSSE(`${base}/events`, { lastEventId: 12 });
 *   const ev = await sse.next((e) => e.event === "item-updated", 2000);
 *   sse.close();
 */

export interface SSEEvent {
  /** The `id:` field of this event, or null when it had none. */
  id: string | null;
  /** The `event:` field, or "message" when absent (as browsers do). */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** `data` parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** performance.now() when the event was parsed. */
  receivedAt: number;
}

/** Incremental parser of the text/event-stream format (WHATWG HTML §9.2.6). */
export class SSEParser {
  private buffer = "";
  private data: string[] = [];
  private eventName = "";
  private id: string | null = null;
  private sawField = false;

  constructor(
    private readonly onEvent: (ev: SSEEvent) => void,
    private readonly onComment: (text: string) => void = () => {},
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) return;
      // A lone "\r" at the end may be the first half of "\r\n": wait for more.
      if (m[0] === "\r" && m.index === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) {
      this.onComment(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.data.push(value);
      this.sawField = true;
    } else if (field === "event") {
      this.eventName = value;
      this.sawField = true;
    } else if (field === "id") {
      if (!value.includes("\0")) this.id = value;
      this.sawField = true;
    } else if (field === "retry" && /^\d+$/.test(value)) {
      this.onRetry(Number(value));
    }
  }

  private dispatch(): void {
    if (this.sawField && this.data.length > 0) {
      const data = this.data.join("\n");
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        json = undefined;
      }
      this.onEvent({
        id: this.id,
        event: this.eventName || "message",
        data,
        json,
        receivedAt: performance.now(),
      });
    }
    this.data = [];
    this.eventName = "";
    this.id = null;
    this.sawField = false;
  }
}

export interface SSEClient {
  /** The HTTP response (status, headers). */
  response: Response;
  /** Every event received so far, in order. */
  events: SSEEvent[];
  /** Every comment line received so far (without the leading ":"). */
  comments: string[];
  /** The last `retry:` hint, or null. */
  retry: number | null;
  /**
   * The next event (after the ones earlier `next` calls returned) matching
   * `predicate`; events skipped over are consumed. Rejects after `timeoutMs`.
   */
  next(predicate?: (ev: SSEEvent) => boolean, timeoutMs?: number): Promise<SSEEvent>;
  /** Resolves with the first comment (received at any time) matching `predicate`. */
  nextComment(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the stream or the connection fails. */
  ended: Promise<void>;
  /** True once the stream has ended. */
  readonly isEnded: boolean;
  close(): void;
}

export interface ConnectOptions {
  /** Sent as the `Last-Event-ID` header. */
  lastEventId?: number | string;
  headers?: Record<string, string>;
  /** Rejects the connect when the response headers take longer than this. */
  timeoutMs?: number;
}

export async function connectSSE(url: string, opts: ConnectOptions = {}): Promise<SSEClient> {
  const abort = new AbortController();
  const headers: Record<string, string> = { Accept: "text/event-stream", ...opts.headers };
  if (opts.lastEventId !== undefined) headers["Last-Event-ID"] = String(opts.lastEventId);
  const timer = setTimeout(() => abort.abort(new Error("connect timeout")), opts.timeoutMs ?? 5000);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: abort.signal });
  } finally {
    clearTimeout(timer);
  }

  const events: SSEEvent[] = [];
  const comments: string[] = [];
  let cursor = 0;
  let ended = false;
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const w of [...wakers]) w();
  };
  const client: SSEClient = {
    response,
    events,
    comments,
    retry: null,
    get isEnded() {
      return ended;
    },
    ended: Promise.resolve(),
    next(predicate = () => true, timeoutMs = 5000) {
      return new Promise<SSEEvent>((resolve, reject) => {
        const check = (): boolean => {
          while (cursor < events.length) {
            const ev = events[cursor++];
            if (predicate(ev)) {
              done();
              resolve(ev);
              return true;
            }
          }
          if (ended) {
            done();
            reject(new Error(`stream ended before a matching event (saw ${events.length})`));
            return true;
          }
          return false;
        };
        const t = setTimeout(() => {
          done();
          reject(new Error(`no matching event within ${timeoutMs} ms (saw ${events.length})`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(t);
          wakers.delete(check);
        };
        if (!check()) wakers.add(check);
      });
    },
    nextComment(predicate, timeoutMs = 5000) {
      return new Promise<string>((resolve, reject) => {
        const check = (): boolean => {
          const hit = comments.find(predicate);
          if (hit !== undefined) {
            done();
            resolve(hit);
            return true;
          }
          if (ended) {
            done();
            reject(new Error("stream ended before a matching comment"));
            return true;
          }
          return false;
        };
        const t = setTimeout(() => {
          done();
          reject(new Error(`no matching comment within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(t);
          wakers.delete(check);
        };
        if (!check()) wakers.add(check);
      });
    },
    close() {
      abort.abort();
    },
  };

  const parser = new SSEParser(
    (ev) => {
      events.push(ev);
      wake();
    },
    (text) => {
      comments.push(text);
      wake();
    },
    (ms) => {
      client.retry = ms;
    },
  );

  client.ended = (async () => {
    const body = response.body;
    if (!body) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Aborted by close() or the connection dropped: both end the stream.
    } finally {
      ended = true;
      wake();
    }
  })();
  return client;
}
