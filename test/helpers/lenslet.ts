/** An in-process Lenslet on a temp gallery and a free port: the real app, real store, real files. */

import type { RunningServer } from "../../src/server.ts";
import { type StartInput, startLenslet } from "../../src/server.ts";
import { removeDir, tempDir, writeTree } from "./tree.ts";

export const quietLog = { info() {}, warn() {}, error() {} };

export interface TestLenslet extends RunningServer {
  root: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server and removes the temp gallery. */
  dispose(): Promise<void>;
}

export async function startTestLenslet(
  files: Parameters<typeof writeTree>[1],
  opts: Partial<StartInput> = {},
  /** Shapes the gallery folder further before the server indexes it. */
  prepare?: (root: string) => void | Promise<void>,
): Promise<TestLenslet> {
  const root = tempDir("lenslet-gallery-");
  await writeTree(root, files);
  await prepare?.(root);
  const running = await startLenslet({ port: 0, ...opts, root }, { log: quietLog });
  return {
    ...running,
    root,
    get: (path, init) => fetch(running.url + path, init),
    async dispose() {
      await running.stop();
      removeDir(root);
      if (opts.workspace) removeDir(opts.workspace);
    },
  };
}
