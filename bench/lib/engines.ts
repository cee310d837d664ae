/** Which store engines a token benchmark runs on: `--engine sqlite|postgres|both` (default both). */
import type { Engine } from './tessera.ts';

export function enginesFromArgs(args: readonly string[]): Engine[] {
  const at = args.indexOf('--engine');
  const wanted = at >= 0 ? args[at + 1] : 'both';
  if (wanted === 'sqlite' || wanted === 'postgres') return [wanted];
  if (wanted === 'both') return ['sqlite', 'postgres'];
  throw new Error(`--engine must be sqlite, postgres or both, not ${wanted}`);
}

/** A numeric option `--name N`, or its default. */
export function numberArg(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
