/**
 * Runs every benchmark in turn (each in its own process, NODE_ENV=production)
 * and collects their JSON summaries from bench/out/. About 10 minutes on 2 cores.
 *
 *   npm run bench            all
 *   npm run bench -- labels  just the named ones
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ALL = ["gallery", "thumbnails", "labels", "fanout", "live-browser", "presence"];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : ALL;
const failed: string[] = [];

for (const name of names) {
  console.log(`\n=== bench/${name}.ts`);
  const p = Bun.spawnSync([process.execPath, "run", join(import.meta.dir, `${name}.ts`)], {
    stdout: "inherit",
    stderr: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (p.exitCode !== 0) failed.push(name);
}

console.log("\n=== summaries (bench/out/*.json)");
for (const name of names) {
  try {
    console.log(
      `${name}: ${readFileSync(join(import.meta.dir, "out", `${name}.json`), "utf8").trim()}`,
    );
  } catch {
    console.log(`${name}: no summary`);
  }
}
if (failed.length) {
  console.log(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
