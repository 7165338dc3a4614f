/**
 * The logging port every module writes to. It lives in core so leaf modules
 * (labels, gallery, media) depend downward on it, not on the composition root.
 */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** A logger that drops everything (tests, benches). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
