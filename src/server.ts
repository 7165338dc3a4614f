/**
 * Builds everything one gallery needs (index, label store, bus, thumbnails,
 * presence), mounts the app and serves it with Bun. Used by the CLI and by
 * tests that want a real server on a free port.
 */

import { join } from "node:path";
import type { Server } from "bun";
import pkg from "../package.json" with { type: "json" };
import { plural } from "../views/format.ts";
import { AccessFileError, accessFile } from "./access/access-file.ts";
import { removeLocalKey, writeLocalKey } from "./access/local-key.ts";
import { chooseAccessMode } from "./access/mode.ts";
import { type AccessRuntime, accessRuntime } from "./access/runtime.ts";
import { AccessStore } from "./access/store.ts";
import { type AppOptions, createApp } from "./app.ts";
import type { CliOptions } from "./cli.ts";
import { Config } from "./config.ts";
import type { Logger } from "./core/logger.ts";
import { Dataset } from "./dataset/dataset.ts";
import { TableError } from "./dataset/table-error.ts";
import type { AppDeps } from "./deps.ts";
import { GalleryIndex, skippedLines } from "./gallery/gallery-index.ts";
import { watchGallery } from "./gallery/watcher.ts";
import { LabelStore } from "./labels/store.ts";
import type { LabelStoreApi } from "./labels/store-api.ts";
import { EventBus } from "./live/bus.ts";
import { MetricsCoalescer } from "./live/metrics-coalescer.ts";
import { EventName } from "./live/protocol.ts";
import { DISPLAY_LONG_EDGE, DISPLAY_QUALITY } from "./media/browser-formats.ts";
import { Dimensions } from "./media/dimensions.ts";
import { ExifReader } from "./media/exif.ts";
import { PerceptualHashes } from "./media/phash.ts";
import { RootFiles } from "./media/root-file.ts";
import { Thumbnailer } from "./media/thumbnails.ts";
import type { PresenceApi } from "./presence/api.ts";
import {
  createPresenceTracker,
  startPresenceService,
  startSharedPresenceService,
} from "./presence/service.ts";
import { defaultGalleryName, openShared, type SharedBackend } from "./scale-out.ts";
import { acquireWorkspaceLock } from "./workspace/lock.ts";
import { resolveWorkspace, WorkspaceError } from "./workspace/workspace.ts";
import { XmpSeeder } from "./xmp/seed.ts";
import { XmpWriter } from "./xmp/sync.ts";

export class StartupError extends Error {
  override name = "StartupError";
}

export interface RunningServer {
  url: string;
  port: number;
  deps: AppDeps;
  /** Set when the requested port was taken and another was used. */
  portNote: string | null;
  /** With access control on: `URL/?token=…`, a fresh owner secret each start. */
  ownerLink: string | null;
  /** What the start should say about access (the opt-out is loud). */
  accessWarnings: string[];
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
  let ws: ReturnType<typeof resolveWorkspace>;
  try {
    ws = resolveWorkspace({
      root: input.root,
      // A table's labels live beside it (TABLE.lenslet/), not in the image folder.
      workspace: input.workspace ?? (input.table ? `${input.table}.lenslet` : undefined),
      noWrite: input.write === false,
    });
  } catch (err) {
    // An untrusted temp workspace is a one-line startup error (exit 2), like a taken lock.
    if (err instanceof WorkspaceError) throw new StartupError(err.message);
    throw err;
  }
  let choice: ReturnType<typeof chooseAccessMode>;
  try {
    choice = chooseAccessMode({
      host: input.host ?? "127.0.0.1",
      access: input.access,
      allowRemoteWrites: input.allowRemoteWrites,
    });
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
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
    allowedHosts: input.allowedHosts,
    // With links and roles (or the opt-out) the loopback-only write rule gives way to the access guard.
    allowRemoteWrites: choice.mode !== "local",
    access: choice.mode,
    tlsCert: input.tlsCert ?? null,
    tlsKey: input.tlsKey ?? null,
    eventBuffer: input.eventBuffer,
    viewTtlMs: input.viewTtl !== undefined ? Math.round(input.viewTtl * 1000) : undefined,
    editTtlMs: input.editTtl !== undefined ? Math.round(input.editTtl * 1000) : undefined,
    pruneIntervalMs:
      input.pruneInterval !== undefined ? Math.round(input.pruneInterval * 1000) : undefined,
    maxSessions: input.maxSessions,
    watch: input.watch,
    presenceLifecycleV2: input.presenceLifecycleV2,
    xmp: input.xmp,
    xmpStyle: input.xmpStyle,
    demo: input.demo ?? false,
    redisUrl: input.redis ?? null,
    redisGallery: input.redisGallery ?? null,
    redisWeakDurability: input.redisWeakDurability ?? false,
  });

  const sharedName = config.redisUrl
    ? (config.redisGallery ?? defaultGalleryName(config.root))
    : undefined;
  const lock = config.canWrite
    ? acquireWorkspaceLock(config.workspace, { shared: sharedName })
    : null;
  if (lock && !lock.ok) throw new StartupError(lock.message);

  let dataset: Dataset | null = null;
  if (input.table) {
    try {
      dataset = await Dataset.open(input.table, {
        pathColumn: input.pathColumn,
        baseDir: config.root,
        exclude: [config.workspace],
      });
    } catch (err) {
      if (lock?.ok) lock.release();
      if (err instanceof TableError) throw new StartupError(err.message);
      throw err;
    }
    const h = dataset.health();
    for (const e of dataset.resolution.examples)
      log.warn(`${input.table}: row ${e.row + 1} skipped (${e.reason}): ${e.value}`);
    if (h.missing_files)
      log.warn(`${input.table}: ${h.missing_files} rows name files that do not exist`);
  }
  // A table's rows are the gallery (the tree comes from their paths); a folder is walked.
  const gallery = dataset
    ? dataset.index()
    : await GalleryIndex.build(config.root, {
        exclude: [config.workspace],
        onProgress: opts.onIndexProgress,
        // At start and whenever the watcher finds more (a name colliding with an indexed one…).
        onSkipped: (list) => {
          for (const line of skippedLines(list)) log.warn(line);
        },
      });

  let shared: SharedBackend | null = null;
  let local: LabelStore | null = null;
  try {
    if (config.redisUrl) shared = await openShared(config, log);
    else
      local = await LabelStore.open({
        dir: config.canWrite ? config.workspace : null,
        mode: config.canWrite ? config.durability : "memory",
        log,
        acceptLoss: input.acceptLabelLoss ?? false,
      });
  } catch (err) {
    if (lock?.ok) lock.release();
    throw new StartupError((err as Error).message);
  }
  const labels: LabelStoreApi = shared?.labels ?? (local as LabelStore);
  let access: AccessRuntime | undefined;
  let ownerSecret: string | null = null;
  try {
    const persistence = config.canWrite
      ? accessFile(config.workspace, { shared: config.redisUrl !== null })
      : null;
    if (input.resetAccess && persistence) new AccessStore({ persistence }).resetAll();
    if (config.access === "token") {
      const store = new AccessStore({ persistence });
      ownerSecret = store.issueOwnerLink();
      access = accessRuntime(store, { secureCookies: config.tlsCert !== null });
    }
  } catch (err) {
    if (lock?.ok) lock.release();
    await labels.close();
    if (err instanceof AccessFileError) throw new StartupError(err.message);
    throw err;
  }
  if (access && !config.canWrite) {
    choice.warnings.push("No writable workspace: invites and sessions end when Lenslet stops.");
  }

  let bus: EventBus;
  let coalescer: MetricsCoalescer;
  if (shared) {
    bus = shared.bus;
    coalescer = new MetricsCoalescer({ bus });
    const sharedLabels = shared.labels;
    sharedLabels.attach({
      onMetricsChanged: (path, version, metrics) => coalescer.add(path, version, metrics),
      // The link of this process to Redis: its own pages hear it (Redis cannot carry it while down).
      onHealth: (state, lastError) =>
        bus.publishLocal({
          type: EventName.persistence,
          data: { state, durability: sharedLabels.durability, last_error: lastError },
        }),
    });
    shared.log.start();
  } else {
    const store = local as LabelStore;
    const seed = store.recentEvents(config.eventBuffer);
    bus = new EventBus({ capacity: config.eventBuffer, firstId: store.firstEventId(), seed });
    coalescer = new MetricsCoalescer({ bus });
    // Metric changes of the last window before a crash may never have gone out: announce them again.
    coalescer.reannounce(seed);
    // The bus is the store's LabelEvents port (src/labels/events.ts): reserve, commit, abandon, publish.
    store.attach(bus, {
      onMetricsChanged: (path, version, metrics) => coalescer.add(path, version, metrics),
    });
  }

  // A table's label-like columns seed the labels once, before anyone sees them (D24); with --no-write, at every
  // start (the labels live in memory).
  if (dataset) {
    try {
      const r = await dataset.seedLabels(gallery, labels);
      if (r?.seeded)
        log.info(`${input.table}: labels of ${plural(r.seeded, "image")} seeded from the table`);
      const refused = Object.entries(r?.refused ?? {});
      if (refused.length && r?.example)
        log.warn(
          `${input.table}: not seeded, not labels: ${refused.map(([c, n]) => `${n} in '${c}'`).join(", ")} (first: row ${r.example.row + 1}, '${r.example.column}' = ${JSON.stringify(r.example.value)})`,
        );
    } catch (err) {
      // Not seeded (the disk): the next start tries again, as the rows still have no record.
      log.warn(`${input.table}: labels not seeded: ${(err as Error).message}`);
    }
  }

  const files = new RootFiles(gallery.rules, { log });
  const cacheDir = config.canWrite ? config.workspace : null;
  const hashes = new PerceptualHashes({ cacheDir, log });
  const exif = new ExifReader({ files, cacheDir, log });
  const dims = new Dimensions({
    files,
    cacheDir: config.canWrite ? config.workspace : null,
    // Known dimensions are the gallery's width and height fields (issue 11 item 2: "once known").
    onKnown: (entry, d) => gallery.noteDims(entry.path, d.width, d.height),
  });
  // Cached ones from earlier runs too, once sizes and dates say which cache entries still hold.
  void gallery.statsReady
    .then(() => dims.announceCached(gallery.eachFolder()))
    .catch((err: Error) => log.warn(`dims: ${err.message}`));
  const thumbs = new Thumbnailer({
    onRendered: (entry, bytes, source) => {
      hashes.fromThumbnail(entry, bytes);
      dims.learned(entry, source);
    },
    files,
    cacheDir: join(config.workspace, "thumbs"),
    size: config.thumbSize,
    quality: config.thumbQuality,
    maxCacheBytes: config.thumbCacheBytes,
    log,
  });
  // The same machinery (queue, one job per item, bounded disk cache) at the viewer's size.
  const display = new Thumbnailer({
    files,
    cacheDir: join(config.workspace, "display"),
    size: DISPLAY_LONG_EDGE,
    edge: "long",
    quality: DISPLAY_QUALITY,
    maxCacheBytes: config.thumbCacheBytes,
    log,
  });
  let presence: PresenceApi;
  let presenceService: { stop(): void };
  if (shared) {
    const shared_ = shared;
    presence = shared_.presence;
    presenceService = startSharedPresenceService({
      presence: shared_.presence,
      pruneIntervalMs: config.pruneIntervalMs,
      log,
    });
    // A rename (PATCH /access/me) shows in presence at once, on every process.
    access?.store.onRename((personId, name) => {
      shared_.presence
        .renamePerson(personId, name)
        .catch((err: Error) => log.warn(`presence: rename failed: ${err.message}`));
    });
  } else {
    const tracker = createPresenceTracker(config);
    presence = tracker;
    // A rename (PATCH /access/me) shows in presence at once, not at each tab's next heartbeat.
    access?.store.onRename((personId, name) => tracker.renamePerson(personId, name));
    presenceService = startPresenceService({
      tracker,
      bus,
      pruneIntervalMs: config.pruneIntervalMs,
    });
  }

  // A table is not followed on disk: its rows, not the folder, say what the gallery holds.
  const watcher =
    config.watch && !dataset
      ? watchGallery({
          index: gallery,
          log,
          // Each process watches the folder for its own index: its own pages hear what it saw.
          onChange: (data) => bus.publishLocal({ type: EventName.galleryChanged, data }),
        })
      : null;

  // XMP in and out (src/xmp/): a table's rows carry their own seeds, so only folders read sidecars.
  const xmpSeeder = config.xmp !== "off" && !dataset ? new XmpSeeder({ labels, files, log }) : null;
  const xmpWriter =
    config.xmp === "write" && !dataset
      ? new XmpWriter({
          labels,
          gallery,
          files,
          log,
          style: config.xmpStyle,
          toolkit: `Lenslet ${pkg.version}`,
        })
      : null;
  const stopFollowing = bus.onEvent((env) => {
    // item-updated goes out only once the journal holds the write: the sidecar follows durable labels.
    if (env.event.type === EventName.itemUpdated) xmpWriter?.changed(env.event.data.path);
    else if (env.event.type === EventName.galleryChanged && xmpSeeder) {
      const changed = env.event.data.folders.map((f) => gallery.folderImages(f));
      void xmpSeeder.seedAll(changed.filter((f) => f !== undefined));
    }
  });
  // After the server answers: seed from the sidecars found in the folders' listings.
  const seeding = (async () => {
    await new Promise((r) => setTimeout(r, 0));
    await xmpSeeder?.seedAll(gallery.eachFolder());
  })().catch((err) => log.warn(`xmp: seeding stopped: ${(err as Error).message}`));

  const deps: AppDeps = {
    config,
    gallery,
    labels,
    bus,
    thumbs,
    display,
    dims,
    files,
    presence,
    log,
    access,
    dataset,
    exif,
    hashes,
    xmpSeeder,
    xmpWriter,
    backend: shared ? () => (shared as SharedBackend).health() : undefined,
  };
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
        tls:
          config.tlsCert && config.tlsKey
            ? { cert: Bun.file(config.tlsCert), key: Bun.file(config.tlsKey) }
            : undefined,
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
  const scheme = config.tlsCert ? "https" : "http";
  const url = `${scheme}://${host === "0.0.0.0" ? "127.0.0.1" : host}:${server.port}`;

  // The command line's way in (`lenslet DIR --invite`): written once the URL is known.
  if (access && config.canWrite) {
    writeLocalKey(config.workspace, { url, key: access.store.issueLocalKey() });
  }

  // One shutdown, however many times it is asked for: npm and bun both forward Ctrl-C, and a
  // second call that returned at once would let the caller exit mid-snapshot.
  let stopping: Promise<void> | null = null;
  const shutdown = async () => {
    watcher?.close();
    xmpSeeder?.stop();
    dims.stop();
    hashes.stop();
    stopFollowing();
    presenceService.stop();
    coalescer.stop();
    bus.close();
    server?.stop(true);
    try {
      await labels.close();
      await xmpWriter?.stop();
      await seeding;
      await hashes.idle();
      await shared?.stop();
      await dims.flush();
      await exif.flush();
      await hashes.flush();
      try {
        if (access && config.canWrite) removeLocalKey(config.workspace);
        access?.store.flush();
      } catch (err) {
        log.warn(`access: could not save last-seen times: ${(err as Error).message}`);
      }
    } finally {
      if (lock?.ok) lock.release();
    }
  };
  return {
    url,
    port: server.port ?? 0,
    deps,
    portNote,
    ownerLink: ownerSecret ? `${url}/?token=${ownerSecret}` : null,
    accessWarnings: choice.warnings,
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };
}
