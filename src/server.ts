/**
 * Builds everything one gallery needs (index, label store, bus, thumbnails,
 * presence), mounts the app and serves it with Bun. Used by the CLI and by
 * tests that want a real server on a free port.
 */
import { join } from "node:path";
import type { Server } from "bun";
import { type AppOptions, createApp } from "./app.ts";
import type { CliOptions } from "./cli.ts";
import { Config } from "./config.ts";
import type { Logger } from "./core/logger.ts";
import type { AppDeps } from "./deps.ts";
import { GalleryIndex } from "./gallery/gallery-index.ts";
import { watchGallery } from "./gallery/watcher.ts";
import { LabelStore } from "./labels/store.ts";
import { EventBus } from "./live/bus.ts";
import { MetricsCoalescer } from "./live/metrics-coalescer.ts";
import { EventName } from "./live/protocol.ts";
import { Dimensions } from "./media/dimensions.ts";
import { Thumbnailer } from "./media/thumbnails.ts";
import { createPresenceTracker, startPresenceService } from "./presence/service.ts";
import { acquireWorkspaceLock } from "./workspace/lock.ts";
import { resolveWorkspace } from "./workspace/workspace.ts";

export class StartupError extends Error {
  override name = "StartupError";
}

export interface RunningServer {
  url: string;
  port: number;
  deps: AppDeps;
  /** Set when the requested port was taken and another was used. */
  portNote: string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  onIndexProgress?: (images: number, folders: number) => void;
  app?: AppOptions;
}

export type StartInput = Partial<Omit<CliOptions, "dir">> & { root: string; demo?: boolean };

/** How many ports above the requested one we try before giving up. */
const PORT_ATTEMPTS = 50;

export async function startLenslet(input: StartInput, opts: StartOptions): Promise<RunningServer> {
  const { log } = opts;
  const ws = resolveWorkspace({
    root: input.root,
    workspace: input.workspace,
    noWrite: input.write === false,
  });
  const config = Config.parse({
    root: input.root,
    workspace: ws.dir,
    canWrite: ws.canWrite,
    workspaceNotice: ws.notice,
    host: input.host,
    port: input.port,
    thumbSize: input.thumbSize,
    thumbQuality: input.thumbQuality,
    durability: input.durability,
    allowRemoteWrites: input.allowRemoteWrites,
    eventBuffer: input.eventBuffer,
    viewTtlMs: input.viewTtl !== undefined ? Math.round(input.viewTtl * 1000) : undefined,
    editTtlMs: input.editTtl !== undefined ? Math.round(input.editTtl * 1000) : undefined,
    pruneIntervalMs:
      input.pruneInterval !== undefined ? Math.round(input.pruneInterval * 1000) : undefined,
    maxSessions: input.maxSessions,
    watch: input.watch,
    presenceLifecycleV2: input.presenceLifecycleV2,
    demo: input.demo ?? false,
  });

  const lock = config.canWrite ? acquireWorkspaceLock(config.workspace) : null;
  if (lock && !lock.ok) throw new StartupError(lock.message);

  const gallery = await GalleryIndex.build(config.root, {
    exclude: [config.workspace],
    onProgress: opts.onIndexProgress,
  });
  for (const s of gallery.skipped.slice(0, 5)) log.warn(`skipped ${s.path}: ${s.reason}`);

  let labels: LabelStore;
  try {
    labels = await LabelStore.open({
      dir: config.canWrite ? config.workspace : null,
      mode: config.canWrite ? config.durability : "memory",
      log,
      acceptLoss: input.acceptLabelLoss ?? false,
    });
  } catch (err) {
    if (lock?.ok) lock.release();
    throw new StartupError((err as Error).message);
  }
  const seed = labels.recentEvents(config.eventBuffer);
  const bus = new EventBus({ capacity: config.eventBuffer, firstId: labels.firstEventId(), seed });
  const coalescer = new MetricsCoalescer({ bus });
  // Metric changes of the last window before a crash may never have gone out: announce them again.
  coalescer.reannounce(seed);
  // The bus is the store's LabelEvents port (src/labels/events.ts): reserve, commit, abandon, publish.
  labels.attach(bus, {
    onMetricsChanged: (path, version, metrics) => coalescer.add(path, version, metrics),
  });

  const thumbs = new Thumbnailer({
    cacheDir: join(config.workspace, "thumbs"),
    size: config.thumbSize,
    quality: config.thumbQuality,
    maxCacheBytes: config.thumbCacheBytes,
    log,
  });
  const dims = new Dimensions({ cacheDir: config.canWrite ? config.workspace : null });
  const presence = createPresenceTracker(config);
  const presenceService = startPresenceService({
    tracker: presence,
    bus,
    pruneIntervalMs: config.pruneIntervalMs,
  });

  const watcher = config.watch
    ? watchGallery({
        index: gallery,
        log,
        onChange: (data) => bus.publish({ type: EventName.galleryChanged, data }),
      })
    : null;

  const deps: AppDeps = { config, gallery, labels, bus, thumbs, dims, presence, log };
  const app = createApp(deps, opts.app);

  let server: Server<undefined> | null = null;
  let portNote: string | null = null;
  const first = config.port;
  for (let attempt = 0; attempt < (first === 0 ? 1 : PORT_ATTEMPTS); attempt++) {
    const port = first === 0 ? 0 : first + attempt;
    try {
      server = Bun.serve({
        hostname: config.host,
        port,
        idleTimeout: 60,
        fetch: (req, srv) => app.fetch(req, { server: srv }),
      });
      if (attempt > 0) portNote = `port ${first} is in use; using ${port} instead`;
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "EADDRINUSE" || first === 0) throw err;
    }
  }
  if (!server) throw new StartupError(`no free port from ${first} to ${first + PORT_ATTEMPTS - 1}`);
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${server.port}`;

  let stopped = false;
  return {
    url,
    port: server.port ?? 0,
    deps,
    portNote,
    async stop() {
      if (stopped) return;
      stopped = true;
      watcher?.close();
      presenceService.stop();
      coalescer.stop();
      bus.close();
      server?.stop(true);
      await labels.close();
      await dims.flush();
      if (lock?.ok) lock.release();
    },
  };
}
