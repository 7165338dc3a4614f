/**
 * `lenslet [DIR] [options]`: parse the command line, make the demo gallery if
 * no DIR was given, index with a progress bar, start serving, stop cleanly.
 */
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { parseCli, UsageError } from "./cli.ts";
import { ensureDemoGallery } from "./gallery/demo.ts";
import { startLenslet } from "./server.ts";
import { consoleLogger, progressBar } from "./terminal.ts";

const PROJECT = join(import.meta.dir, "..");

async function main(): Promise<number> {
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
  const log = consoleLogger();
  let root = opts.dir;
  let demo = false;
  if (!root) {
    demo = true;
    const bar = progressBar("Making the demo gallery");
    root = await ensureDemoGallery(join(PROJECT, ".cache", "demo-gallery"), {
      onProgress: bar.update,
    });
    bar.done();
  }
  const bar = progressBar("Indexing");
  const running = await startLenslet(
    { ...opts, root, demo },
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
    `Indexed ${gallery.imageCount.toLocaleString("en-US")} images in ${gallery.folderCount.toLocaleString("en-US")} folders (${Math.round(gallery.builtInMs)} ms)${demo ? " — built-in demo gallery" : ""}`,
  );
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

  const stop = async (signal: string) => {
    log.info(`${signal}: stopping…`);
    await running.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  return -1;
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
