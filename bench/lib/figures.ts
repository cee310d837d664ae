/**
 * One figure of a benchmark run: printed for people, and, when the runner
 * asks for it (npm run bench -- --json), appended as a JSON line to the file
 * it names, so bench/run.ts can write bench/results/latest.json and its chart.
 */
import { appendFileSync } from 'node:fs';
import type { Spread } from './stats.ts';
import type { Alternation } from './alternate.ts';
import { load } from './process.ts';

export interface Goal {
  /** The figure must be at least (>=) or at most (<=) this. */
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  bench: string;
  name: string;
  /** What the main value is: a ratio to a baseline, milliseconds, megabytes… */
  unit: 'ratio' | 'ms' | 'MB' | 'µs' | 'per second';
  value: Spread;
  /** CPU time per operation of the process under test ÷ the baseline's (lower is cheaper). */
  cpuPerOpRatio?: Spread;
  baseline?: string;
  goal?: Goal;
  load: [number, number, number];
  details?: Record<string, unknown>;
}

export const FIGURES_FILE = 'TESSERA_BENCH_FIGURES';

export function met(f: Pick<Figure, 'goal' | 'value'>): boolean | null {
  if (!f.goal) return null;
  return f.goal.op === '>=' ? f.value.median >= f.goal.value : f.value.median <= f.goal.value;
}

export function report(figure: Omit<Figure, 'load'> & { load?: Figure['load'] }): void {
  const f: Figure = { ...figure, load: figure.load ?? load() };
  const v = (x: number) => (f.unit === 'ratio' ? x.toFixed(3) : x.toFixed(2));
  const goal = f.goal ? `, goal ${f.goal.op} ${f.goal.value}: ${met(f) ? 'met' : 'NOT met'}` : '';
  const cpu = f.cpuPerOpRatio ? `; CPU per operation ÷ baseline ${f.cpuPerOpRatio.median.toFixed(3)} (${f.cpuPerOpRatio.min.toFixed(3)}–${f.cpuPerOpRatio.max.toFixed(3)})` : '';
  const unit = f.unit === 'ratio' ? '' : ` ${f.unit}`;
  console.log(`${f.name}: ${v(f.value.median)}${unit} (range ${v(f.value.min)}–${v(f.value.max)})${f.baseline ? ` vs ${f.baseline}` : ''}${cpu}${goal} [load ${f.load.join(' ')}]`);
  const file = process.env[FIGURES_FILE];
  if (file) appendFileSync(file, `${JSON.stringify(f)}\n`);
}

/** The figure of an A B A B run: throughput ratio, CPU-per-operation ratio, both sides' own figures. */
export function reportAlternation(result: Alternation, f: { bench: string; name: string; baseline: string; goal: number; details?: Record<string, unknown> }): void {
  report({
    bench: f.bench, name: f.name, unit: 'ratio', value: result.throughputRatio, cpuPerOpRatio: result.cpuPerOpRatio,
    baseline: f.baseline, goal: { op: '>=', value: f.goal }, load: result.load,
    details: { perSecond: result.aPerSecond, baselinePerSecond: result.bPerSecond, cpuMsPerOp: result.aCpuMsPerOp, baselineCpuMsPerOp: result.bCpuMsPerOp, ...f.details },
  });
}
