import { InvalidInputError } from '../../directory/errors.ts';
import type { EvidencePeriod } from './model.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Longer than the sign-in log is kept at most (3650 days), so any period worth asking for fits. */
const MAX_DAYS = 3660;

function day(text: string, name: string): Date {
  const d = new Date(`${text}T00:00:00.000Z`);
  if (!DAY.test(text) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) {
    throw new InvalidInputError(`${name}: ${text} is not a date like 2026-01-31`);
  }
  return d;
}

/** From the first instant of `from` to the last of `to`, both whole days in UTC. */
export function evidencePeriod(fromDate: string, toDate: string): EvidencePeriod {
  const from = day(fromDate, 'from');
  const to = day(toDate, 'to');
  if (from > to) throw new InvalidInputError(`from: ${fromDate} is after to (${toDate})`);
  if ((to.getTime() - from.getTime()) / 86_400_000 >= MAX_DAYS) throw new InvalidInputError(`the period may be at most ${MAX_DAYS} days long`);
  return { fromDate, toDate, from: from.toISOString(), to: new Date(to.getTime() + 86_400_000 - 1).toISOString() };
}
