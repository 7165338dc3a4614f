/**
 * The one way Lenslet talks to Redis: Bun's built-in client (raw commands via
 * `send`), with a deadline on every command so a Redis that hangs answers like
 * one that is down, scripts run by EVALSHA with a fallback to EVAL, and the
 * durability check done at start. No Lenslet rules in here.
 */
import { RedisClient } from "bun";

/** A command that takes longer than this counts as failed (the write answers 503; its retry is safe). */
export const COMMAND_TIMEOUT_MS = 3_000;

export class RedisUnavailable extends Error {
  override name = "RedisUnavailable";
}

export interface RedisOptions {
  commandTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

export class Redis {
  readonly url: string;
  private readonly client: RedisClient;
  private readonly timeoutMs: number;

  private constructor(url: string, client: RedisClient, timeoutMs: number) {
    this.url = url;
    this.client = client;
    this.timeoutMs = timeoutMs;
  }

  /** Connects (throws RedisUnavailable naming the URL without its password when it cannot). */
  static async connect(url: string, opts: RedisOptions = {}): Promise<Redis> {
    const client = new RedisClient(url, {
      autoReconnect: true,
      maxRetries: 4_000_000_000,
      // A command while disconnected fails at once instead of queueing: the write answers 503.
      enableOfflineQueue: false,
      connectionTimeout: opts.connectionTimeoutMs ?? 2_000,
    });
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw new RedisUnavailable(
        `cannot reach Redis at ${safeUrl(url)}: ${(err as Error).message}`,
      );
    }
    return new Redis(url, client, opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
  }

  /** A second connection to the same server (a blocking XREAD needs its own). */
  async duplicate(): Promise<Redis> {
    return Redis.connect(this.url, { commandTimeoutMs: this.timeoutMs });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** One command; rejects with RedisUnavailable when the connection fails or the deadline passes. */
  async send(
    command: string,
    args: (string | number)[],
    timeoutMs = this.timeoutMs,
  ): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new RedisUnavailable(`Redis did not answer ${command} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.client.send(command, args.map(String)), deadline]);
    } catch (err) {
      if (err instanceof RedisUnavailable || isConnectionError(err)) {
        throw err instanceof RedisUnavailable
          ? err
          : new RedisUnavailable(`Redis is unreachable: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Round trip of a PING, in ms. */
  async rtt(): Promise<number> {
    const t0 = performance.now();
    await this.send("PING", [], 1_000);
    return performance.now() - t0;
  }

  close(): void {
    this.client.close();
  }
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? "";
  return code.startsWith("ERR_REDIS_CONNECTION") || /connection/i.test((err as Error).message);
}

/** A Lua script: EVALSHA, and EVAL when the server does not know it (restarted, flushed, SCRIPT FLUSH). */
export class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = new Bun.CryptoHasher("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await redis.send("EVALSHA", [this.sha, ...tail]);
    } catch (err) {
      if (!/NOSCRIPT/.test((err as Error).message)) throw err;
      return redis.send("EVAL", [this.source, ...tail]);
    }
  }
}

/** The URL as it may be shown (no password). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable Redis URL)";
  }
}
