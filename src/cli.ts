/**
 * Command-line parsing: argv → validated options. No side effects beyond
 * printing help/version; src/main.ts does the starting.
 */
import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import pkg from "../package.json" with { type: "json" };
import { DEFAULT_MAX_SESSIONS } from "./presence/tracker.ts";

export interface CliOptions {
  /** Absolute image folder, or null for the built-in demo. */
  dir: string | null;
  port: number;
  host: string;
  thumbSize: number;
  thumbQuality: number;
  workspace?: string;
  write: boolean;
  open: boolean;
  durability: "strict" | "relaxed";
  allowRemoteWrites: boolean;
  eventBuffer: number;
  viewTtl: number;
  editTtl: number;
  pruneInterval: number;
  maxSessions: number;
  watch: boolean;
  presenceLifecycleV2: boolean;
  /** Start even though label files show that acknowledged writes were lost (recorded in labels.losses.jsonl). */
  acceptLabelLoss: boolean;
}

/** A problem with the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

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

export function buildCommand(): Command {
  return new Command("lenslet")
    .description(
      "Triage a folder of images together in the browser: stars, tags, notes, live for everyone.",
    )
    .version(pkg.version, "-v, --version")
    .argument("[dir]", "image folder to serve (default: the built-in demo gallery)")
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
      new Option("--workspace <dir>", "where labels and caches go (default: DIR/.lenslet)"),
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
      new Option("--allow-remote-writes", "accept label writes from other hosts").default(false),
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
    .showHelpAfterError(false)
    .exitOverride();
}

/** Parses argv (without the runtime and script). Throws UsageError for bad input. */
export function parseCli(
  argv: string[],
  write: (s: string) => void = (s) => process.stdout.write(s),
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
  let dir: string | null = null;
  if (dirArg !== undefined) {
    dir = resolve(dirArg);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw new UsageError(`${dirArg}: no such folder`);
    }
    if (!isDir) throw new UsageError(`${dirArg}: not a folder`);
    try {
      accessSync(dir, constants.R_OK | constants.X_OK);
    } catch {
      throw new UsageError(`${dirArg}: folder is not readable`);
    }
  }
  return {
    dir,
    port: o.port,
    host: o.host,
    thumbSize: o.thumbSize,
    thumbQuality: o.thumbQuality,
    workspace: o.workspace,
    write: o.write,
    open: o.open,
    durability: o.durability,
    allowRemoteWrites: o.allowRemoteWrites,
    eventBuffer: o.eventBuffer,
    viewTtl: o.viewTtl,
    editTtl: o.editTtl,
    pruneInterval: o.pruneInterval,
    maxSessions: o.maxSessions,
    watch: o.watch,
    presenceLifecycleV2: o.presenceLifecycleV2,
    acceptLabelLoss: o.acceptLabelLoss,
  };
}
