/**
 * Command-line parsing: argv → validated options. No side effects beyond
 * printing help/version; src/main.ts does the starting.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import type { AccessMode } from "./access/mode.ts";
import { parseDuration } from "./access/records.ts";
import type { GrantableRole } from "./access/roles.ts";
import { tableFileOf } from "./dataset/load-table.ts";
import { DEMO_TABLE_ROWS } from "./gallery/demo-table.ts";
import { DEFAULT_MAX_SESSIONS } from "./presence/tracker.ts";
import { isAllowedHostPattern } from "./routes/host-guard.ts";

export interface CliOptions {
  /** Absolute image folder (for a table: the folder its image paths are relative to), or null for the demo. */
  dir: string | null;
  /** With no DIR: which built-in demo (`--demo`): the folder gallery, or the generated table over its own images. */
  demoKind: DemoKind;
  /** Rows (and images) of the demo table: LENSLET_DEMO_ROWS, else DEMO_TABLE_ROWS. */
  demoRows: number;
  /** Absolute path of the table served (a .parquet/.csv/.tsv/.jsonl/.ndjson file), or null for a folder. */
  table: string | null;
  /** The table's image column (default: found by name). */
  pathColumn?: string;
  port: number;
  host: string;
  thumbSize: number;
  thumbQuality: number;
  workspace?: string;
  write: boolean;
  open: boolean;
  durability: "strict" | "relaxed";
  allowRemoteWrites: boolean;
  allowedHosts: string[];
  /** Unset: decided by the host (src/access/mode.ts). */
  access?: AccessMode;
  /** Revoke every invite, session and API token before starting. */
  resetAccess?: boolean;
  /** `--invite ROLE [--expires 7d] [--uses 5]`: print an invite link (src/access/cli-invite.ts). */
  invite?: GrantableRole;
  expiresInS?: number;
  uses?: number;
  tlsCert?: string;
  tlsKey?: string;
  eventBuffer: number;
  viewTtl: number;
  editTtl: number;
  pruneInterval: number;
  maxSessions: number;
  watch: boolean;
  presenceLifecycleV2: boolean;
  /** Start even though label files show that acknowledged writes were lost (recorded in labels.losses.jsonl). */
  acceptLabelLoss: boolean;
  /** XMP sidecars: read (seed labels), write (also keep sidecars in step), off. */
  xmp: "off" | "read" | "write";
  xmpStyle: "ext" | "base";
  /** `--redis URL`: labels, events and presence in Redis, so several processes serve one gallery. */
  redis?: string;
  /** The gallery's name in Redis (default: from the image folder's path). */
  redisGallery?: string;
  /** Start on a Redis that does not fsync every write (loudly warned; writes answer `relaxed`). */
  redisWeakDurability?: boolean;
}

/** A problem with the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

export const DemoKind = z.enum(["gallery", "table"]);
export type DemoKind = z.infer<typeof DemoKind>;

/** `--demo`'s value, or commander's one-line error naming the two there are. */
function demoKind(value: string): DemoKind {
  const r = DemoKind.safeParse(value);
  if (!r.success) throw new InvalidArgumentError("expected gallery or table");
  return r.data;
}

/** LENSLET_DEMO_ROWS: a smaller (or larger) demo table, e.g. for tests; unset = the default. */
const DemoRows = z.coerce.number().int().min(1).max(100_000).default(DEMO_TABLE_ROWS);

function intIn(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

function secondsIn(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected seconds from ${min} to ${max}`);
    }
    return n;
  };
}

function collectHost(value: string, previous: string[]): string[] {
  if (!isAllowedHostPattern(value)) {
    throw new InvalidArgumentError("expected a host name, an address, or *.domain");
  }
  return [...previous, value];
}

export function buildCommand(): Command {
  return new Command("lenslet")
    .description(
      "Triage a folder of images together in the browser: stars, tags, notes, live for everyone.",
    )
    .version(pkg.version, "-v, --version")
    .argument(
      "[dir]",
      "image folder, or a table (.parquet, .csv, .tsv, .jsonl, .ndjson, or a folder with items.parquet) to serve (default: the built-in demo gallery)",
    )
    .addOption(
      new Option("-p, --port <n>", "port (the next free one if taken)")
        .default(7070)
        .argParser(intIn(0, 65535)),
    )
    .addOption(new Option("-H, --host <host>", "interface to listen on").default("127.0.0.1"))
    .addOption(
      new Option("--thumb-size <px>", "thumbnail short edge")
        .default(256)
        .argParser(intIn(32, 2048)),
    )
    .addOption(
      new Option("--thumb-quality <q>", "thumbnail WebP quality")
        .default(70)
        .argParser(intIn(1, 100)),
    )
    .addOption(
      new Option(
        "--workspace <dir>",
        "where labels and caches go (default: DIR/.lenslet, or TABLE.lenslet beside a table)",
      ),
    )
    .addOption(
      new Option(
        "--demo <kind>",
        "with no DIR: gallery (the demo folder, the default) or table (a generated dataset of 3,000 images with metrics, categories, captions and embeddings, made on first use)",
      ).argParser(demoKind),
    )
    .addOption(new Option("--path-column <name>", "a table's image column (default: by name)"))
    .addOption(
      new Option(
        "--base-dir <dir>",
        "folder a table's image paths are relative to (default: its folder)",
      ),
    )
    .addOption(
      new Option("--no-write", "keep labels in memory only; write nothing beside the images"),
    )
    .addOption(new Option("--open", "open the gallery in a browser").default(false))
    .addOption(
      new Option(
        "--durability <mode>",
        "strict: ack after fsync; relaxed: ack after write, fsync every second",
      )
        .choices(["strict", "relaxed"])
        .default("strict"),
    )
    .addOption(
      new Option(
        "--access <mode>",
        "local: no login, writes from this machine; token: links and roles; open: anyone on the network (default: local on loopback, token otherwise)",
      ).choices(["local", "token", "open"]),
    )
    .addOption(new Option("--allow-remote-writes", "old name of --access open").default(false))
    .addOption(
      new Option(
        "--reset-access",
        "revoke every invite, session and API token, then start",
      ).default(false),
    )
    .addOption(
      new Option("--invite <role>", "print an invite link for viewer, rater or admin").choices([
        "viewer",
        "rater",
        "admin",
      ]),
    )
    .addOption(
      new Option(
        "--expires <duration>",
        "with --invite: the link stops after (7d, 12h, 30m)",
      ).argParser((v) => {
        const s = parseDuration(v);
        if (s === null || s < 60) throw new InvalidArgumentError("expected e.g. 7d, 12h or 30m");
        return s;
      }),
    )
    .addOption(
      new Option("--uses <n>", "with --invite: how many people may use the link").argParser(
        intIn(1, 100_000),
      ),
    )
    .addOption(new Option("--tls-cert <file>", "serve HTTPS with this PEM certificate"))
    .addOption(new Option("--tls-key <file>", "the PEM private key of --tls-cert"))
    .addOption(
      new Option(
        "--allowed-host <name>",
        "also answer requests addressed to this name (repeatable; *.example.com for its subdomains)",
      )
        .argParser(collectHost)
        .default([]),
    )
    .addOption(
      new Option("--event-buffer <n>", "events kept for replay")
        .default(2000)
        .argParser(intIn(16, 1_000_000)),
    )
    .addOption(
      new Option("--view-ttl <s>", "presence: a silent viewer is dropped after")
        .default(75)
        .argParser(secondsIn(1, 86400)),
    )
    .addOption(
      new Option("--edit-ttl <s>", "presence: editing lasts after a write for")
        .default(60)
        .argParser(secondsIn(1, 86400)),
    )
    .addOption(
      new Option("--prune-interval <s>", "presence: prune loop period")
        .default(5)
        .argParser(secondsIn(0.1, 3600)),
    )
    .addOption(
      new Option("--max-sessions <n>", "presence: tabs tracked at once (more get 503)")
        .default(DEFAULT_MAX_SESSIONS)
        .argParser(intIn(1, 10_000_000)),
    )
    .addOption(new Option("--no-watch", "do not follow files added or removed while running"))
    .addOption(new Option("--no-presence-lifecycle-v2", "heartbeat-only presence (legacy)"))
    .addOption(
      new Option(
        "--accept-label-loss",
        "start although the label journal shows lost writes (emptied, cut, gap); the loss is recorded",
      ).default(false),
    )
    .addOption(
      new Option(
        "--xmp <mode>",
        "XMP: read (seed labels of unlabelled images), write (also keep a sidecar beside each labelled image), off",
      )
        .choices(["read", "write", "off"])
        .default("read"),
    )
    .addOption(
      new Option(
        "--xmp-style <style>",
        "sidecar name: ext = image.jpg.xmp (digiKam, darktable), base = image.xmp (Lightroom, Capture One)",
      )
        .choices(["ext", "base"])
        .default("ext"),
    )
    .addOption(
      new Option(
        "--redis <url>",
        "keep labels, events and presence in Redis (redis://host:port/db), so several Lenslet processes serve one gallery",
      ).argParser((v) => {
        if (!/^rediss?:\/\//.test(v)) throw new InvalidArgumentError("expected redis://host:port");
        return v;
      }),
    )
    .addOption(
      new Option(
        "--redis-gallery <name>",
        "with --redis: the gallery's name in Redis (default: from the folder's path; set it when hosts mount the folder at different paths)",
      ).argParser((v) => {
        if (!/^[A-Za-z0-9._-]{1,100}$/.test(v))
          throw new InvalidArgumentError("expected letters, digits, . _ -");
        return v;
      }),
    )
    .addOption(
      new Option(
        "--redis-weak-durability",
        "with --redis: start although Redis does not fsync every write (appendfsync always); writes then answer persistence: relaxed",
      ).default(false),
    )
    .showHelpAfterError(false)
    .exitOverride();
}

/** Parses argv (without the runtime and script). Throws UsageError for bad input. */
export function parseCli(
  argv: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
  env: Record<string, string | undefined> = process.env,
): CliOptions | "exit" {
  const cmd = buildCommand().configureOutput({ writeOut: write, writeErr: () => {} });
  try {
    cmd.parse(argv, { from: "user" });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (
      e.code === "commander.helpDisplayed" ||
      e.code === "commander.version" ||
      e.code === "commander.help"
    )
      return "exit";
    throw new UsageError((e.message ?? String(err)).replace(/^error: /, ""));
  }
  const o = cmd.opts();
  const dirArg = cmd.args[0];
  if (o.demo !== undefined && dirArg !== undefined)
    throw new UsageError(`--demo serves a built-in demo: give it no DIR (got ${dirArg})`);
  const demoRows = DemoRows.safeParse(env.LENSLET_DEMO_ROWS || undefined);
  if (!demoRows.success)
    throw new UsageError("LENSLET_DEMO_ROWS: expected a whole number from 1 to 100000");
  let dir: string | null = null;
  const tableFile = dirArg !== undefined ? tableFileOf(resolve(dirArg)) : null;
  if (tableFile === null && (o.pathColumn !== undefined || o.baseDir !== undefined))
    throw new UsageError("--path-column and --base-dir need a table (TABLE.parquet, .csv, …)");
  if (tableFile !== null) {
    // A table: DIR is the folder its paths are relative to.
    dir = checkFolder(o.baseDir ?? dirname(tableFile), o.baseDir ?? dirArg!);
  } else if (dirArg !== undefined) dir = checkFolder(dirArg, dirArg);
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if ((o.redisGallery !== undefined || o.redisWeakDurability) && o.redis === undefined) {
    throw new UsageError("--redis-gallery and --redis-weak-durability go with --redis");
  }
  if (o.redis !== undefined && o.presenceLifecycleV2 === false) {
    throw new UsageError("--no-presence-lifecycle-v2 is not available with --redis");
  }
  if ((o.expires !== undefined || o.uses !== undefined) && o.invite === undefined) {
    throw new UsageError("--expires and --uses go with --invite");
  }
  return {
    dir,
    demoKind: o.demo ?? "gallery",
    demoRows: demoRows.data,
    table: tableFile,
    pathColumn: o.pathColumn,
    port: o.port,
    host: o.host,
    thumbSize: o.thumbSize,
    thumbQuality: o.thumbQuality,
    workspace: o.workspace,
    write: o.write,
    open: o.open,
    durability: o.durability,
    allowRemoteWrites: o.allowRemoteWrites,
    allowedHosts: o.allowedHost,
    access: o.access,
    resetAccess: o.resetAccess,
    invite: o.invite,
    expiresInS: o.expires,
    uses: o.uses,
    tlsCert: o.tlsCert === undefined ? undefined : resolve(o.tlsCert),
    tlsKey: o.tlsKey === undefined ? undefined : resolve(o.tlsKey),
    eventBuffer: o.eventBuffer,
    viewTtl: o.viewTtl,
    editTtl: o.editTtl,
    pruneInterval: o.pruneInterval,
    maxSessions: o.maxSessions,
    watch: o.watch,
    presenceLifecycleV2: o.presenceLifecycleV2,
    acceptLabelLoss: o.acceptLabelLoss,
    xmp: o.xmp,
    xmpStyle: o.xmpStyle,
    redis: o.redis,
    redisGallery: o.redisGallery,
    redisWeakDurability: o.redisWeakDurability,
  };
}

export interface MigrateCli {
  dir: string;
  workspace?: string;
  direction: "to-redis" | "from-redis";
  url: string;
  gallery?: string;
}

/** `lenslet migrate DIR --to-redis URL | --from-redis URL [--redis-gallery NAME] [--workspace DIR]`. */
export function parseMigrate(
  argv: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
): MigrateCli | "exit" {
  const cmd = new Command("lenslet migrate")
    .description("move a workspace's labels into a gallery in Redis, or back")
    .argument("<dir>", "the image folder (its workspace holds the labels)")
    .addOption(new Option("--to-redis <url>", "move the labels into Redis"))
    .addOption(new Option("--from-redis <url>", "move the labels from Redis into the workspace"))
    .addOption(
      new Option(
        "--redis-gallery <name>",
        "the gallery's name in Redis (default: from the folder's path)",
      ),
    )
    .addOption(new Option("--workspace <dir>", "the workspace (default: DIR/.lenslet)"))
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: () => {} });
  try {
    cmd.parse(argv, { from: "user" });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.help") return "exit";
    throw new UsageError((e.message ?? String(err)).replace(/^error: /, ""));
  }
  const o = cmd.opts();
  if ((o.toRedis === undefined) === (o.fromRedis === undefined))
    throw new UsageError("give one of --to-redis URL or --from-redis URL");
  const url = (o.toRedis ?? o.fromRedis) as string;
  if (!/^rediss?:\/\//.test(url)) throw new UsageError("expected a redis://host:port URL");
  return {
    dir: checkFolder(cmd.args[0] as string, cmd.args[0] as string),
    workspace: o.workspace,
    direction: o.toRedis !== undefined ? "to-redis" : "from-redis",
    url,
    gallery: o.redisGallery,
  };
}

/** An existing, readable folder (absolute), or a UsageError naming `shown`. */
function checkFolder(path: string, shown: string): string {
  const dir = resolve(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${shown}: no such folder`);
  }
  if (!isDir) throw new UsageError(`${shown}: not a folder`);
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${shown}: folder is not readable`);
  }
  return dir;
}
