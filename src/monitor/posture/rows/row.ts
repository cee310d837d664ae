import type { Figure, PostureRow } from '../model.ts';

/** One row; the fix is worked out only for a failing one. */
export function row(id: string, title: string, pass: boolean, figures: Record<string, Figure>, fix: () => string): PostureRow {
  return { id, title, status: pass ? 'pass' : 'fail', figures, fix: pass ? null : fix() };
}

/** A share as a whole percentage; 100 when there is nobody to count. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part * 100) / whole);
}
