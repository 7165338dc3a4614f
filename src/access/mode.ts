/**
 * Which access mode a start gets. On loopback with no options nothing changes
 * (`local`: no login, writes from this machine only); any other address turns
 * access control on (`token`); `--access open` is the explicit opt-out
 * (anyone who reaches the port reads and writes, as the old
 * `--allow-remote-writes`); `--access token` forces it on loopback too.
 */
import { z } from "zod";
import { isLoopbackHost } from "../core/loopback.ts";

export const AccessMode = z.enum(["local", "open", "token"]);
export type AccessMode = z.infer<typeof AccessMode>;

export interface ModeChoice {
  mode: AccessMode;
  /** Lines to print at start (the opt-out is loud). */
  warnings: string[];
}

export function chooseAccessMode(input: {
  host: string;
  access?: AccessMode;
  /** The old flag, kept as an alias of `--access open`. */
  allowRemoteWrites?: boolean;
}): ModeChoice {
  const warnings: string[] = [];
  let mode = input.access;
  if (input.allowRemoteWrites) {
    if (mode !== undefined && mode !== "open") {
      throw new Error(`--allow-remote-writes means --access open; it contradicts --access ${mode}`);
    }
    warnings.push("--allow-remote-writes is now --access open (the old name still works).");
    mode = "open";
  }
  mode ??= isLoopbackHost(input.host) ? "local" : "token";
  if (mode === "open") {
    warnings.push(
      `--access open: ANYONE who can reach ${input.host} can see every image and change every label, under any name. Use it only on a network you trust; without it, Lenslet asks for a link.`,
    );
  }
  return { mode, warnings };
}
