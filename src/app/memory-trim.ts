import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.ts';

/**
 * Gives memory back to the operating system when a server process goes quiet.
 *
 * V8 keeps its young generation at the size the busiest moment needed and
 * holds freed pages for reuse. Its own memory reducer starts only after a full
 * collection, which a server answering in bursts rarely needs, so in our
 * measurements it never ran: a fresh process held about 148 MB, and about
 * 124 MB after one memory-reducing collection; after 1,000 sign-ins, 185 MB
 * against 145 MB (bench/memory.ts). That collection (the one V8 runs before
 * giving up on memory, which also shrinks the young generation) costs 100–200
 * ms of CPU at this heap size and blocks the event loop while it runs. So it
 * runs only when the process was idle for a whole tick, has grown since the
 * last one, and that one is long enough ago (TrimRules.minGapMs: at most 1–2%
 * of a core), and never while requests are being answered.
 */
export interface TrimRules {
  /** How often the event loop's busy share is sampled. */
  tickMs: number;
  /** A tick counts as quiet when the event loop was busy at most this share of it. */
  quietUtilization: number;
  /**
   * Trim only when the RSS grew this much since the last trim. 4 MB, not more: the detection
   * scanner's first pass over a freshly imported directory leaves about 5 MB a trim gives back.
   */
  growthBytes: number;
  /**
   * And only this long after the last trim: with traffic in bursts a few seconds apart, a trim in
   * every quiet second would cost a tenth of a core; once in 10 s it is at most 1–2%.
   */
  minGapMs: number;
}

export const TRIM_RULES: TrimRules = { tickMs: 1000, quietUtilization: 0.02, growthBytes: 4 * 1024 * 1024, minGapMs: 10_000 };

export interface TrimState {
  lastTrimAt: number;
  rssAfterTrim: number;
}

export interface TrimSample {
  at: number;
  utilization: number;
  rss: number;
}

/** Pure: whether this tick's sample calls for a trim. */
export function shouldTrim(state: TrimState, sample: TrimSample, rules: TrimRules): boolean {
  return sample.utilization <= rules.quietUtilization
    && sample.rss - state.rssAfterTrim >= rules.growthBytes
    && sample.at - state.lastTrimAt >= rules.minGapMs;
}

/** V8's gc(): without options a full collection; with these, the memory-reducing one. */
export type Collect = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's collection function, without starting Node with --expose-gc: that flag
 * would put gc() on the global object for every dependency to call. Set for a
 * moment, it gives the function to one new context only.
 */
export function memoryReducingCollector(): Collect | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as Collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Runs one memory-reducing collection; the RSS before and after, and how long it blocked. */
export function trimNow(collect: Collect): { beforeBytes: number; afterBytes: number; ms: number } {
  const beforeBytes = process.memoryUsage.rss();
  const began = performance.now();
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return { beforeBytes, afterBytes: process.memoryUsage.rss(), ms: performance.now() - began };
}

const MB = 1024 * 1024;

/** Samples every tick and trims when the rules say so; the timer never keeps the process alive. Returns the stopper. */
export function trimWhenQuiet(logger: Pick<Logger, 'debug'>, rules: TrimRules = TRIM_RULES): () => void {
  const collect = memoryReducingCollector();
  if (!collect) return () => {};
  const state: TrimState = { lastTrimAt: -Infinity, rssAfterTrim: 0 };
  let mark = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const sample = { at: performance.now(), utilization: performance.eventLoopUtilization(now, mark).utilization, rss: process.memoryUsage.rss() };
    mark = now;
    if (!shouldTrim(state, sample, rules)) return;
    const trimmed = trimNow(collect);
    state.lastTrimAt = performance.now();
    state.rssAfterTrim = trimmed.afterBytes;
    mark = performance.eventLoopUtilization(); // the collection's own time is not the next tick's work
    logger.debug({ rss_before_mb: Math.round(trimmed.beforeBytes / MB), rss_after_mb: Math.round(trimmed.afterBytes / MB), ms: Math.round(trimmed.ms) },
      'memory returned to the system while quiet');
  }, rules.tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
