/**
 * A tiny TCP proxy of the tests' own: forwards each connection to one of its
 * targets, round-robin, skipping targets that refuse. It is the front of
 * several Lenslet processes (a page whose process died reconnects through it
 * to another), and the switch that cuts a process off from Redis (`cut()`
 * drops every connection and refuses new ones until `heal()`).
 */
import type { Socket, TCPSocketListener } from "bun";

export interface TcpProxy {
  port: number;
  url(scheme?: string): string;
  cut(): void;
  heal(): void;
  setTargets(targets: number[]): void;
  close(): void;
}

interface Pair {
  client: Socket<Pair>;
  upstream: Socket<Pair> | null;
  pending: Uint8Array[];
  /** Bytes a socket did not take yet (Bun's write may be partial): written on drain. */
  toClient: Uint8Array[];
  toUpstream: Uint8Array[];
}

function send(sock: Socket<Pair>, queue: Uint8Array[], chunk: Uint8Array): void {
  if (queue.length > 0) {
    queue.push(chunk);
    return;
  }
  const n = sock.write(chunk);
  if (n < chunk.length) queue.push(chunk.subarray(Math.max(0, n)));
}

function flush(sock: Socket<Pair>, queue: Uint8Array[]): void {
  while (queue.length > 0) {
    const chunk = queue[0];
    const n = sock.write(chunk);
    if (n < chunk.length) {
      queue[0] = chunk.subarray(Math.max(0, n));
      return;
    }
    queue.shift();
  }
}

export function startTcpProxy(targets: number[]): TcpProxy {
  let list = [...targets];
  let next = 0;
  let broken = false;
  const pairs = new Set<Pair>();

  const dial = async (pair: Pair, tried = 0): Promise<void> => {
    if (tried >= list.length || broken) {
      pair.client.end();
      return;
    }
    const port = list[next++ % list.length];
    try {
      const up = await Bun.connect<Pair>({
        hostname: "127.0.0.1",
        port,
        data: pair,
        socket: {
          data(_s, chunk) {
            send(pair.client, pair.toClient, new Uint8Array(chunk));
          },
          drain(up) {
            flush(up, pair.toUpstream);
          },
          close() {
            pair.client.end();
            pairs.delete(pair);
          },
          error() {
            pair.client.end();
          },
        },
      });
      pair.upstream = up;
      for (const c of pair.pending.splice(0)) send(up, pair.toUpstream, c);
    } catch {
      await dial(pair, tried + 1);
    }
  };

  const server: TCPSocketListener<Pair> = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        const pair: Pair = { client: s, upstream: null, pending: [], toClient: [], toUpstream: [] };
        s.data = pair;
        if (broken) {
          s.end();
          return;
        }
        pairs.add(pair);
        void dial(pair);
      },
      data(s, chunk) {
        const pair = s.data;
        if (pair.upstream) send(pair.upstream, pair.toUpstream, new Uint8Array(chunk));
        else pair.pending.push(new Uint8Array(chunk));
      },
      drain(s) {
        flush(s, s.data.toClient);
      },
      close(s) {
        s.data?.upstream?.end();
        pairs.delete(s.data);
      },
      error(s) {
        s.data?.upstream?.end();
      },
    },
  });

  return {
    port: server.port,
    url: (scheme = "http") => `${scheme}://127.0.0.1:${server.port}`,
    cut() {
      broken = true;
      for (const p of [...pairs]) {
        p.upstream?.terminate();
        p.client.terminate();
      }
      pairs.clear();
    },
    heal() {
      broken = false;
    },
    setTargets(t) {
      list = [...t];
    },
    close() {
      broken = true;
      for (const p of [...pairs]) {
        p.upstream?.terminate();
        p.client.terminate();
      }
      server.stop(true);
    },
  };
}
