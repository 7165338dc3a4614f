/** GET /health: what an operator (or the UI) needs to know at a glance. */
import { Hono } from "hono";
import pkg from "../../package.json" with { type: "json" };
import type { AppDeps } from "../deps.ts";
import { presenceHealth } from "../presence/diagnostics.ts";
import { eventStreamHealth } from "./events.ts";
import type { HealthResponse } from "./openapi/health.ts";
import { principalRole } from "./principal-actor.ts";
import { writeAbility } from "./write-ability.ts";

export function streamStatsOf(deps: Pick<AppDeps, "bus">) {
  return () => {
    const s = deps.bus.stats();
    return { connected: s.subscribers, replayMissTotal: s.replayMissTotal };
  };
}

export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  // For an uptime probe: public (A16), so it says nothing but that the server answers.
  app.get("/health/live", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ ok: true });
  });
  app.get("/health", async (c) => {
    const { config, gallery } = deps;
    // For this asker: a page on another origin or host, or a viewer, must not be told it can write.
    const ability = writeAbility(config, c.req.raw, c.env, "request", principalRole(c));
    // Asked first: it refreshes the shared store's figures too.
    const backend = deps.backend ? await deps.backend() : { kind: "local" as const, redis: null };
    const labels = deps.labels.health();
    const body: HealthResponse = {
      ok: true,
      version: pkg.version,
      mode: config.demo ? "demo" : deps.dataset ? "table" : "folder",
      root: config.root,
      workspace: config.workspace,
      can_write: ability.canWrite,
      write_refusal: ability.refusal,
      notice: config.workspaceNotice,
      gallery: {
        images: gallery.imageCount,
        folders: gallery.folderCount,
        indexed_ms: Math.round(gallery.builtInMs),
        stats_ready: gallery.statsDone,
        skipped: gallery.skippedSummary(),
      },
      dataset: deps.dataset?.health() ?? null,
      // What the seeds' UI reads for its no-write banner.
      labels: { ...labels, enabled: labels.durability !== "memory" },
      backend,
      events: eventStreamHealth(deps.bus),
      presence: presenceHealth(deps, streamStatsOf(deps)),
      thumbnails: deps.thumbs.stats(),
      xmp: {
        mode: config.xmp,
        style: config.xmpStyle,
        seed: deps.xmpSeeder?.health() ?? null,
        write: deps.xmpWriter?.health() ?? null,
      },
      hashes: deps.hashes.health(gallery.imageCount),
    };
    c.header("Cache-Control", "no-store");
    return c.json(body);
  });
  return app;
}
