/**
 * What the page's scripts (public/*.js, checked with `// @ts-check`) find on `window`: the vendored libraries
 * (only the calls we make). Wire types come from src/live/protocol.ts.
 */
export {};

interface HtmxAjaxOptions {
  source?: string | Element;
  target?: string | Element;
  swap?: string;
}
interface Htmx {
  ajax(method: string, url: string, opts?: HtmxAjaxOptions): Promise<void>;
  process(el: Element): void;
  /** Swaps HTML into `target` (`swap: "outerMorph"` keeps the elements that are still there). */
  swap(ctx: { text: string; target: Element; swap: string }): Promise<void>;
  onLoad(fn: (el: Element) => void): void;
}
interface AlpineLike {
  store(name: string): Record<string, unknown> | undefined;
  store(name: string, value: Record<string, unknown>): void;
}

declare global {
  interface Window {
    htmx: Htmx;
    Alpine?: AlpineLike;
  }
}
