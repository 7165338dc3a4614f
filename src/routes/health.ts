/** GET /health: what an operator (or the UI) needs to know at a glance. */
import { Hono } from "hono";
import pkg from "../../package.json" with { type: "json" };
import type { AppDeps } from "../deps.ts";
import { presenceHealth } from "../presence/diagnostics.ts";
import { eventStreamHealth } from "./events.ts";

export function streamStatsOf(deps: Pick<AppDeps, "bus">) {
  return () => {
    const s = deps.bus.stats();
    return { connected: s.subscribers, replayMissTotal: s.replayMissTotal };
  };
}

export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", (c) => {
    const { config, gallery } = deps;
    return c.json({
      ok: true,
      version: pkg.version,
      mode: config.demo ? "demo" : "folder",
      root: config.root,
      workspace: config.workspace,
      can_write: config.canWrite,
      notice: config.workspaceNotice,
      gallery: {
        images: gallery.imageCount,
        folders: gallery.folderCount,
        indexed_ms: Math.round(gallery.builtInMs),
        skipped: gallery.skippedSummary(),
      },
      labels: deps.labels.health(),
      events: eventStreamHealth(deps.bus),
      presence: presenceHealth(deps, streamStatsOf(deps)),
      thumbnails: deps.thumbs.stats(),
    });
  });
  return app;
}
