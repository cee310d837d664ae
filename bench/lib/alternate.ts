/**
 * A B A B: the measured side and its baseline take turns, round by round,
 * after a warm-up round of each, so a burst of load on the shared machine
 * hits both sides of a pair. Each pair gives two ratios: throughput (A ÷ B)
 * and CPU time per operation of the process under test (A ÷ B).
 */
import { spread, type Spread } from './stats.ts';
import { load } from './process.ts';

export interface Sample {
  ops: number;
  seconds: number;
  /** CPU seconds the measured process used in the round. */
  cpuSeconds: number;
  /** CPU seconds the load generator (this process) used in the round, when the side measures it. */
  driverCpuSeconds?: number;
}

export interface Side {
  label: string;
  round(): Promise<Sample>;
}

export interface Alternation {
  pairs: { a: Sample; b: Sample; load: number }[];
  throughputRatio: Spread;
  cpuPerOpRatio: Spread;
  aPerSecond: Spread;
  bPerSecond: Spread;
  aCpuMsPerOp: Spread;
  bCpuMsPerOp: Spread;
  load: [number, number, number];
}

const perSecond = (s: Sample) => s.ops / s.seconds;
const cpuMsPerOp = (s: Sample) => (s.cpuSeconds * 1000) / Math.max(1, s.ops);

export async function alternate(a: Side, b: Side, pairs = 5, log: (line: string) => void = console.log): Promise<Alternation> {
  await a.round();
  await b.round();
  const done: Alternation['pairs'] = [];
  for (let i = 0; i < pairs; i++) {
    const sa = await a.round();
    const sb = await b.round();
    done.push({ a: sa, b: sb, load: load()[0] });
    log(`  pair ${i + 1}: ${a.label} ${perSecond(sa).toFixed(1)}/s ${cpuMsPerOp(sa).toFixed(2)} ms CPU/op · ${b.label} ${perSecond(sb).toFixed(1)}/s ${cpuMsPerOp(sb).toFixed(2)} ms CPU/op · ratio ${(perSecond(sa) / perSecond(sb)).toFixed(3)} (load ${done.at(-1)!.load})`);
  }
  return {
    pairs: done,
    throughputRatio: spread(done.map((p) => perSecond(p.a) / perSecond(p.b))),
    cpuPerOpRatio: spread(done.map((p) => cpuMsPerOp(p.a) / cpuMsPerOp(p.b))),
    aPerSecond: spread(done.map((p) => perSecond(p.a))),
    bPerSecond: spread(done.map((p) => perSecond(p.b))),
    aCpuMsPerOp: spread(done.map((p) => cpuMsPerOp(p.a))),
    bCpuMsPerOp: spread(done.map((p) => cpuMsPerOp(p.b))),
    load: load(),
  };
}

/** A closed loop: `workers` callers each run `op` back to back until the time is up. */
export async function closedLoop(workers: number, seconds: number, op: (worker: number) => Promise<void>): Promise<{ ops: number; seconds: number }> {
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  let ops = 0;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (performance.now() < until) {
      await op(w);
      ops++;
    }
  }));
  return { ops, seconds: (performance.now() - start) / 1000 };
}
