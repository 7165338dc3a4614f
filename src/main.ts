/**
 * `lenslet [DIR] [options]`: parse the command line, make the demo gallery if
 * no DIR was given, index with a progress bar, start serving, stop cleanly.
 */
import { networkInterfaces } from "node:os";
import { dirname, join } from "node:path";
import { plural } from "../views/format.ts";
import { cliInvite } from "./access/cli-invite.ts";
import type { GrantableRole } from "./access/roles.ts";
import { type CliOptions, parseCli, parseMigrate, UsageError } from "./cli.ts";
import { demoPlan, ensureDemoGallery } from "./gallery/demo.ts";
import { ensureDemoDataset } from "./gallery/demo-dataset.ts";
import { MigrateError, migrate } from "./migrate.ts";
import { startLenslet } from "./server.ts";
import { consoleLogger, progressBar } from "./terminal.ts";
import { resolveWorkspace } from "./workspace/workspace.ts";

const PROJECT = join(import.meta.dir, "..");

async function main(): Promise<number> {
  if (process.argv[2] === "migrate") return runMigrate(process.argv.slice(3));
  let opts: ReturnType<typeof parseCli>;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lenslet: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (opts === "exit") return 0;
  if (opts.invite) return printInvite(opts);
  const log = consoleLogger();
  let root = opts.dir;
  let table = opts.table;
  let demo = false;
  const demoTable = !root && opts.demoKind === "table";
  // The demos are made on first use in .cache/ (or beside $LENSLET_DEMO_DIR, the gallery's folder).
  const demoGallery = process.env.LENSLET_DEMO_DIR || join(PROJECT, ".cache", "demo-gallery");
  if (demoTable) {
    // Said before the first image is made (only when it must be made): the first start takes a while.
    const bar = progressBar(
      `Making the demo table (${opts.demoRows.toLocaleString("en-US")} images)`,
    );
    const made = await ensureDemoDataset(join(dirname(demoGallery), "demo-table"), {
      rows: opts.demoRows,
      onProgress: bar.update,
    });
    bar.done();
    root = made.dir;
    table = made.table;
  } else if (!root) {
    demo = true;
    const bar = progressBar(`Making the demo gallery (${demoPlan().length} images)`);
    root = await ensureDemoGallery(demoGallery, { onProgress: bar.update });
    bar.done();
  }
  const bar = progressBar("Indexing");
  const running = await startLenslet(
    { ...opts, root, table, demo },
    {
      log,
      onIndexProgress: (images, folders) =>
        bar.update(images, undefined, `${images} images, ${folders} folders`),
    },
  ).catch((err: Error) => {
    bar.done();
    if (err.name === "StartupError") {
      process.stderr.write(`lenslet: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  });
  bar.done();
  const { gallery } = running.deps;
  log.info(
    `Indexed ${plural(gallery.imageCount, "image")} in ${plural(gallery.folderCount, "folder")} (${Math.round(gallery.builtInMs)} ms)${demo ? " — built-in demo gallery" : demoTable ? " — built-in demo table" : ""}`,
  );
  if (demo)
    log.info("The dataset demo (metrics, histograms, find similar): npm start -- --demo table");
  if (running.deps.config.workspaceNotice) log.warn(running.deps.config.workspaceNotice);
  if (running.portNote) log.warn(running.portNote);
  for (const w of running.accessWarnings) log.warn(w);
  if (running.ownerLink) {
    log.info(
      `Access control is on (--access ${running.deps.config.access}): only people with a link get in. Your owner link (keep it to yourself; a new one is made at every start):`,
    );
    for (const link of ownerLinks(running.ownerLink, running.deps.config.host)) {
      process.stdout.write(`  ${link}\n`);
    }
  }
  // The line tests and tools parse: keep its shape.
  process.stdout.write(`Lenslet ready at ${running.url}\n`);
  if (opts.open) openBrowser(running.ownerLink ?? running.url);

  let signals = 0;
  const stop = async (signal: string) => {
    // Every signal waits for the same shutdown (snapshot, caches, lock); none exits early.
    log.info(signals++ === 0 ? `${signal}: stopping…` : `${signal}: still saving, please wait…`);
    await running.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  return -1;
}

/** `--invite ROLE`: made by the running server, or written to the workspace (src/access/cli-invite.ts). */
async function printInvite(opts: CliOptions): Promise<number> {
  if (!opts.dir) {
    process.stderr.write("lenslet: --invite needs the image folder: lenslet DIR --invite ROLE\n");
    return 2;
  }
  const ws = resolveWorkspace({ root: opts.dir, workspace: opts.workspace, noWrite: false });
  if (!ws.canWrite) {
    process.stderr.write(
      `lenslet: no writable workspace for ${opts.dir}: invites cannot be kept\n`,
    );
    return 2;
  }
  const host = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;
  const r = await cliInvite({
    workspace: ws.dir,
    baseUrl: `${opts.tlsCert ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${opts.port}`,
    invite: {
      role: opts.invite as GrantableRole,
      expires_in: opts.expiresInS,
      uses: opts.uses,
    },
  });
  if (!r.ok) {
    process.stderr.write(`lenslet: ${r.message}\n`);
    return 1;
  }
  const limits = [
    opts.expiresInS ? `expires in ${opts.expiresInS} s` : null,
    opts.uses ? `${opts.uses} use${opts.uses > 1 ? "s" : ""}` : null,
  ].filter(Boolean);
  process.stdout.write(
    `Invite link (${opts.invite}${limits.length ? `, ${limits.join(", ")}` : ""}):\n  ${r.link}\n`,
  );
  if (r.via === "file") {
    process.stdout.write("It works once Lenslet serves this folder at that address.\n");
  }
  return 0;
}

/** `lenslet migrate DIR --to-redis URL | --from-redis URL [--redis-gallery NAME] [--workspace DIR]`. */
async function runMigrate(argv: string[]): Promise<number> {
  let m: ReturnType<typeof parseMigrate>;
  try {
    m = parseMigrate(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`lenslet migrate: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (m === "exit") return 0;
  const ws = resolveWorkspace({ root: m.dir, workspace: m.workspace, noWrite: false });
  try {
    const r = await migrate({
      root: m.dir,
      workspace: ws.dir,
      direction: m.direction,
      url: m.url,
      gallery: m.gallery,
      log: consoleLogger(),
    });
    process.stdout.write(
      m.direction === "to-redis"
        ? `Moved ${r.records} labelled items into Redis (gallery ${r.gallery}). Start every process with --redis ${m.url}${m.gallery ? ` --redis-gallery ${m.gallery}` : ""}.\n`
        : `Moved ${r.records} labelled items from Redis (gallery ${r.gallery}) into ${ws.dir}. Start Lenslet without --redis.\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof MigrateError || (err as Error).name === "RecoveryError") {
      process.stderr.write(`lenslet migrate: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

/** The owner link on each address a colleague could reach, when listening on all of them. */
function ownerLinks(link: string, host: string): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [link];
  const u = new URL(link);
  const out = [link];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal || a.family !== "IPv4") continue;
      u.hostname = a.address;
      out.push(u.toString());
    }
  }
  return out;
}

function openBrowser(url: string) {
  const cmd =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "start" : "xdg-open";
  try {
    Bun.spawn([cmd, url], { stdout: "ignore", stderr: "ignore" });
  } catch {
    // No browser launcher: the URL is printed anyway.
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: Error) => {
    process.stderr.write(`lenslet: ${err.message}\n`);
    process.exit(1);
  },
);
