/**
 * A second machine on this one: a Linux network namespace joined to the host by
 * a veth pair on a private /30. A request made from inside it reaches Lenslet
 * from a real non-loopback peer address, which is how tests prove the rules
 * for other machines (remote writes, per-asker can_write, team access) without
 * any traffic leaving this machine. Needs root and iproute2 (CI has both).
 */
import { spawn, spawnSync } from "bun";

export interface RemoteHost {
  /** The host's side of the link: listen here (or on 0.0.0.0) to be reached from the namespace. */
  hostAddr: string;
  /** The address requests from the namespace come from. */
  peerAddr: string;
  /** An HTTP request made from inside the namespace (curl; async, so a server in this process can answer). */
  request(url: string, init?: RemoteRequest): Promise<RemoteResponse>;
  dispose(): void;
}

export interface RemoteRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RemoteResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function ip(args: string[]): void {
  const r = spawnSync(["ip", ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.toString().trim()}`);
}

let made = 0;

export function makeRemoteHost(): RemoteHost {
  const n = made++;
  const tag = `${process.pid % 100000}${n}`;
  const ns = `lnst-${tag}`;
  const hostIf = `lvh${tag}`.slice(0, 15);
  const peerIf = `lvp${tag}`.slice(0, 15);
  // One /30 of 10.231.0.0/16 per namespace, chosen from the pid so parallel runs do not collide.
  const k = (process.pid * 7 + n) % 16384;
  const net = `10.231.${k >> 6}.${(k & 63) * 4}`.split(".").map(Number);
  const hostAddr = `${net[0]}.${net[1]}.${net[2]}.${net[3]! + 1}`;
  const peerAddr = `${net[0]}.${net[1]}.${net[2]}.${net[3]! + 2}`;

  const dispose = () => {
    spawnSync(["ip", "link", "del", hostIf], { stdout: "ignore", stderr: "ignore" });
    spawnSync(["ip", "netns", "del", ns], { stdout: "ignore", stderr: "ignore" });
    process.off("exit", dispose);
  };
  process.on("exit", dispose);
  try {
    ip(["netns", "add", ns]);
    ip(["link", "add", hostIf, "type", "veth", "peer", "name", peerIf]);
    ip(["link", "set", peerIf, "netns", ns]);
    ip(["addr", "add", `${hostAddr}/30`, "dev", hostIf]);
    ip(["link", "set", hostIf, "up"]);
    ip(["netns", "exec", ns, "ip", "addr", "add", `${peerAddr}/30`, "dev", peerIf]);
    ip(["netns", "exec", ns, "ip", "link", "set", peerIf, "up"]);
    ip(["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
  } catch (err) {
    dispose();
    throw err;
  }

  return {
    hostAddr,
    peerAddr,
    dispose,
    async request(url, init = {}) {
      const args = ["ip", "netns", "exec", ns, "curl", "-s", "-i", "--max-time", "10"];
      args.push("-X", init.method ?? "GET");
      for (const [k, v] of Object.entries(init.headers ?? {})) args.push("-H", `${k}: ${v}`);
      if (init.body !== undefined) args.push("--data-binary", init.body);
      args.push(url);
      const p = spawn(args, { stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([
        new Response(p.stdout).text(),
        new Response(p.stderr).text(),
        p.exited,
      ]);
      if (code !== 0) throw new Error(`curl ${url}: exit ${code} ${err}`);
      return parseResponse(out);
    },
  };
}

function parseResponse(raw: string): RemoteResponse {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).split("\r\n");
  const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(head[0] ?? "")?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status, headers, body: raw.slice(split + 4) };
}
