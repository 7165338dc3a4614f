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

/**
 * On a terminal, one line redrawn in place. Elsewhere (a log file, a pipe, a
 * service manager) a few plain lines: the title when work starts, one line per
 * quarter done (or every `everyMs` when the total is unknown), and the end.
 */
export function progressBar(
  title: string,
  stream: Pick<NodeJS.WriteStream, "write" | "isTTY"> = process.stderr,
  opts: { everyMs?: number; now?: () => number } = {},
): ProgressBar {
  const tty = stream.isTTY === true;
  const now = opts.now ?? Date.now;
  const everyMs = opts.everyMs ?? 2000;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let started = false;
  let lastQuarter = 0;
  let lastLine = 0;
  let final: { done: number; total?: number; label?: string } | null = null;
  const count = (done: number, total?: number, label?: string) =>
    label ?? (total ? `${done}/${total}` : String(done));
  return {
    update(done, total, label) {
      final = { done, total, label };
      if (!tty) {
        const t = now();
        if (!started) {
          started = true;
          lastLine = t;
          stream.write(`${title}…\n`);
          return;
        }
        const quarter = total ? Math.floor((4 * Math.min(done, total)) / total) : 0;
        const due = total ? quarter > lastQuarter && quarter < 4 : t - lastLine >= everyMs;
        if (due) {
          lastQuarter = quarter;
          lastLine = t;
          stream.write(`${title}: ${count(done, total, label)}\n`);
        }
        return;
      }
      const t = now();
      if (t - last < 80) return;
      last = t;
      const width = 28;
      const frac = total ? Math.min(1, done / total) : null;
      const bar =
        frac === null
          ? `${"▒".repeat((Math.floor(t / 120) % width) + 1)}`.padEnd(width, " ")
          : `${"█".repeat(Math.round(frac * width))}`.padEnd(width, "░");
      stream.write(`\r${title} [${bar}] ${count(done, total, label)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write("\r\x1b[K");
      else if (!tty && started && final)
        stream.write(`${title}: ${count(final.done, final.total, final.label)}, done\n`);
    },
  };
}
