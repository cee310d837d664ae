import type { Db } from '../../store/store.ts';
import { peopleCoverage, type PersonCoverage } from '../../policy/store/coverage.ts';

/** One active person (service accounts are not people) as the method mix and the privileged coverage read them. */
export type PersonFact = PersonCoverage;

/**
 * Read once for both sections, as the overview reads coverage. These are the
 * methods as they stand when the pack is made: the store keeps no history of
 * registrations to rebuild an earlier day's.
 */
export async function gatherPeople(db: Db): Promise<PersonFact[]> {
  return (await peopleCoverage(db)).filter((p) => p.kind !== 'service');
}
