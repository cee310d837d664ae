/**
 * A run's figures as files: bench/results/latest.json (every figure with its
 * value, range, CPU-per-operation ratio, goal and load average) and
 * latest.svg, one row per figure on its own scale, with the range as a
 * whisker and the goal as a mark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { met, type Figure } from './figures.ts';

export interface Run {
  generatedAt: string;
  commit: string | null;
  machine: { cpus: number; model: string; memoryGiB: number; node: string; threadPool: number };
  figures: Figure[];
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export function describeRun(figures: Figure[]): Run {
  return {
    generatedAt: new Date().toISOString(),
    commit: commit(),
    machine: {
      cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version, threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    },
    figures,
  };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number, unit: Figure['unit']) => (unit === 'ratio' ? x.toFixed(2) : `${x.toFixed(x < 10 ? 2 : 0)} ${unit}`);

/** One figure: its name and load above, the bar (median), its whisker (range) and the goal mark below. */
function row(f: Figure, y: number): string {
  const X = 10;
  const W = 720;
  const top = Math.max(f.value.max, f.goal?.value ?? 0) * 1.15 || 1;
  const at = (v: number) => X + (Math.max(0, v) / top) * W;
  const ok = met(f);
  const colour = ok === null ? '#5b6b7f' : ok ? '#2f7d4f' : '#b3402f';
  const bar = y + 30;
  const goal = f.goal ? `<line x1="${at(f.goal.value)}" x2="${at(f.goal.value)}" y1="${bar - 4}" y2="${bar + 20}" stroke="#222" stroke-width="2"/><text x="${at(f.goal.value) + 4}" y="${bar + 28}" font-size="10">${esc(`goal ${f.goal.op === '>=' ? '≥' : '≤'} ${num(f.goal.value, f.unit)}`)}</text>` : '';
  return [
    `<text x="${X}" y="${y + 12}" font-size="12">${esc(f.name)}</text>`,
    `<text x="${X}" y="${y + 25}" font-size="10" fill="#555">load ${f.load.join(' ')}${f.cpuPerOpRatio ? ` · CPU per operation ÷ baseline ${f.cpuPerOpRatio.median.toFixed(2)}` : ''}</text>`,
    `<rect x="${X}" y="${bar}" width="${at(f.value.median) - X}" height="14" fill="${colour}"/>`,
    `<line x1="${at(f.value.min)}" x2="${at(f.value.max)}" y1="${bar + 7}" y2="${bar + 7}" stroke="#111"/>`,
    goal,
    `<text x="${X + W + 20}" y="${bar + 12}" font-size="12">${esc(num(f.value.median, f.unit))}</text>`,
  ].join('');
}

const ROW = 64;

export function chart(run: Run): string {
  const H = 40 + run.figures.length * ROW;
  const rows = run.figures.map((f, i) => row(f, 34 + i * ROW)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="14" font-weight="bold">Tessera benchmarks ${esc(run.generatedAt)}${run.commit ? ` at ${run.commit}` : ''} (${run.machine.cpus} cores): median, range, goal</text>
${rows}
</svg>
`;
}

export function writeRun(dir: string, figures: Figure[]): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const run = describeRun(figures);
  const json = join(dir, 'latest.json');
  const svg = join(dir, 'latest.svg');
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(svg, chart(run));
  return { json, svg };
}
