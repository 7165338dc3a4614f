/**
 * Shared by the label tests: temp workspaces, a capturing logger, a small
 * in-test gallery (the real index is the lead's), and an app built from
 * itemRoutes over a real LabelStore and a real EventBus.
 */
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import type { Logger } from "../../src/core/logger.ts";
import { parentOf } from "../../src/core/paths.ts";
import type { ImageEntry } from "../../src/gallery/types.ts";
import { type FaultSource, FaultSwitch } from "../../src/labels/faults.ts";
import type { LabelsHealth } from "../../src/labels/schema.ts";
import { LabelStore, type LabelStoreOptions, type WriteContext } from "../../src/labels/store.ts";
import type { LabelStoreApi } from "../../src/labels/store-api.ts";
import { EventBus } from "../../src/live/bus.ts";
import type { Envelope } from "../../src/live/protocol.ts";
import { itemRoutes } from "../../src/routes/items.ts";

const made: string[] = [];

export function tempDir(tag = "labels"): string {
  const dir = fs.mkdtempSync(join(os.tmpdir(), `lenslet-${tag}-`));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export class CapturingLog implements Logger {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
  has(re: RegExp): boolean {
    return this.lines.some((l) => re.test(l));
  }
}

/** A gallery of the given item paths (canonical). */
export class StubGallery {
  private readonly items = new Map<string, ImageEntry>();
  constructor(paths: string[]) {
    paths.forEach((path, i) => {
      const name = path.slice(path.lastIndexOf("/") + 1);
      this.items.set(path, {
        path,
        folder: parentOf(path),
        name,
        fsPath: `/nowhere${path}`,
        size: 1000 + i,
        mtimeMs: 0,
        ordinal: i,
        width: 640,
        height: 480,
      });
    });
  }
  get(path: string): ImageEntry | undefined {
    return this.items.get(path);
  }
  list(folder: string, recursive: boolean): ImageEntry[] {
    return [...this.items.values()].filter((e) =>
      recursive ? folder === "/" || e.path.startsWith(`${folder}/`) : e.folder === folder,
    );
  }
}

export const GALLERY_PATHS = [
  "/a.jpg",
  "/b.jpg",
  "/c.jpg",
  "/animals/cat.jpg",
  "/animals/dog.jpg",
  "/animals/deep/owl.jpg",
];

export interface Harness<S extends LabelStoreApi = LabelStore> {
  /** Which store: the contract suite (contract.ts) runs on both. */
  kind: "local" | "redis";
  /** Reopens the same store when passed back as `dir` (the workspace, or the gallery in Redis). */
  dir: string | null;
  store: S;
  bus: EventBus;
  app: ReturnType<typeof itemRoutes>;
  log: CapturingLog;
  events: Envelope[];
  metrics: { path: string; version: number; metrics: Record<string, number> }[];
  touches: [string, string | null | undefined][];
  /** Resolves once every event published so far has reached `events` (Redis: through the stream). */
  settle(): Promise<void>;
  /** Makes the storage refuse writes (a failing disk; Redis cut off). */
  breakStorage(): void;
  /** …and work again; resolves when a write can succeed. */
  healStorage(): Promise<void>;
  /** The labels part of /health, current. */
  health(): Promise<LabelsHealth>;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<LabelStoreOptions, "log">> {
  allowRemoteWrites?: boolean;
  paths?: string[];
  faults?: FaultSource | null;
}

/** Opens (or reopens) a store on `dir` and builds the label routes over it. */
export async function harness(opts: HarnessOptions = {}): Promise<Harness<LabelStore>> {
  const log = new CapturingLog();
  const dir = opts.dir === undefined ? tempDir() : opts.dir;
  const faults = opts.faults === undefined ? new FaultSwitch() : opts.faults;
  const store = await LabelStore.open({ mode: "strict", ...opts, faults, dir, log });
  const bus = new EventBus({
    capacity: 1000,
    firstId: store.firstEventId(),
    seed: store.recentEvents(1000),
  });
  const metrics: Harness["metrics"] = [];
  store.attach(bus, {
    onMetricsChanged: (path, version, m) => metrics.push({ path, version, metrics: m }),
  });
  const events: Envelope[] = [];
  bus.onEvent((env) => events.push(env));
  const touches: Harness["touches"] = [];
  const app = itemRoutes({
    config: { allowRemoteWrites: opts.allowRemoteWrites ?? false },
    gallery: new StubGallery(opts.paths ?? GALLERY_PATHS),
    labels: store,
    presence: { touchEdit: (clientId, galleryId) => void touches.push([clientId, galleryId]) },
    log,
  });
  return {
    kind: "local",
    dir,
    store,
    bus,
    app,
    log,
    events,
    metrics,
    touches,
    settle: async () => {},
    breakStorage: () => (faults as FaultSwitch).fail("append", "ENOSPC"),
    healStorage: async () => (faults as FaultSwitch).clear(),
    health: async () => store.health(),
    close: () => store.close(),
  };
}

let keySeq = 0;
export function newKey(): string {
  return `test-key-${process.pid}-${++keySeq}-${Math.random().toString(36).slice(2)}`;
}

export interface Call {
  status: number;
  body: Record<string, unknown> & { [k: string]: unknown };
  headers: Headers;
  text: string;
}

/** One HTTP request against the app; JSON in, JSON (or text) out. */
export async function call(
  app: Harness["app"],
  method: string,
  url: string,
  init: {
    body?: unknown;
    headers?: Record<string, string>;
    key?: string | null;
    env?: unknown;
  } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.key !== undefined && init.key !== null) headers["idempotency-key"] = init.key;
  const res = await app.request(
    url,
    {
      method,
      headers,
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === "string"
            ? init.body
            : JSON.stringify(init.body),
    },
    init.env,
  );
  const text = await res.text();
  let body: Call["body"] = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (CSV)
  }
  return { status: res.status, body, headers: res.headers, text };
}

/** PATCH /item with a fresh key (unless given). */
export function patch(
  app: Harness["app"],
  path: string,
  body: Record<string, unknown>,
  opts: { key?: string; headers?: Record<string, string> } = {},
): Promise<Call> {
  return call(app, "PATCH", `/item?path=${encodeURIComponent(path)}`, {
    body,
    key: opts.key ?? newKey(),
    headers: opts.headers,
  });
}

export function ctx(
  key: string | null = newKey(),
  hash: string | null = key === null ? null : `h-${key}`,
): WriteContext {
  return { updatedBy: "Test (t1)", clientId: "t1", key, requestHash: hash };
}

/** Resolves when `pred` holds, polling on macrotask turns (no fixed sleeps). */
export async function until(
  pred: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** RFC 4180 reader for checking exports (header row → objects); strict about quotes. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') {
      if (cell !== "") throw new Error(`stray quote at ${i}`);
      quoted = true;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (quoted) throw new Error("unterminated quote");
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  const [header, ...body] = rows;
  return body.map((r) => {
    if (r.length !== header.length)
      throw new Error(`row has ${r.length} cells, header ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]]));
  });
}

export { ManualTimers } from "../helpers/timers.ts";

/**
 * The fixtures of format 1 were written before flags and colour labels: every
 * record in them (and in the answers they remember) reads as unflagged, no
 * colour (L19). Adds those two fields to each record in `value`.
 */
export function asUnflagged<T>(value: T): T {
  if (Array.isArray(value)) return value.map(asUnflagged) as T;
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = asUnflagged(v);
  if (typeof out.version === "number" && "star" in out && "path" in out) {
    out.flag ??= null;
    out.color ??= null;
  }
  return out as T;
}
