/** Console output: a logger, and a progress bar that draws only on a terminal. */
import type { Logger } from "./core/logger.ts";

export function consoleLogger(): Logger {
  const stamp = () => new Date().toISOString().slice(11, 19);
  return {
    info: (m) => process.stderr.write(`${stamp()} ${m}\n`),
    warn: (m) => process.stderr.write(`${stamp()} warning: ${m}\n`),
    error: (m) => process.stderr.write(`${stamp()} error: ${m}\n`),
  };
}

export interface ProgressBar {
  update(done: number, total?: number, label?: string): void;
  done(): void;
}

export function progressBar(
  title: string,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 80) return;
      last = now;
      const width = 28;
      const frac = total ? Math.min(1, done / total) : null;
      const bar =
        frac === null
          ? `${"▒".repeat((Math.floor(now / 120) % width) + 1)}`.padEnd(width, " ")
          : `${"█".repeat(Math.round(frac * width))}`.padEnd(width, "░");
      stream.write(
        `\r${title} [${bar}] ${label ?? (total ? `${done}/${total}` : String(done))}\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write("\r\x1b[K");
    },
  };
}
