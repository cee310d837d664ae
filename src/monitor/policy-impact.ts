import type { Db } from '../store/store.ts';
import type { ReportOnlyEntry } from '../policy/model.ts';

export interface PolicyImpact {
  policyId: string;
  since: string;
  /** Sign-ins the policy applied to while report-only. */
  applied: number;
  /** Of those, sign-ins it would have refused outright. */
  wouldBlock: number;
  /** Of those, sign-ins that went through but would have needed more (a stronger method, a compliant device). */
  wouldChallenge: number;
  /** Different people among the sign-ins it would have stopped or challenged. */
  people: number;
}

/**
 * What a report-only policy would have done, read back from the sign-in log,
 * where every attempt records each report-only policy's verdict: the figure an
 * admin wants before enforcing it ("in the last 7 days it would have stopped N
 * sign-ins").
 */
export async function reportOnlyImpact(db: Db, policyId: string, since: Date): Promise<PolicyImpact> {
  const rows = await db.selectFrom('signin_log').select(['user_id', 'report_only'])
    .where('at', '>=', since.toISOString()).where('report_only', 'is not', null).execute();
  const out: PolicyImpact = { policyId, since: since.toISOString(), applied: 0, wouldBlock: 0, wouldChallenge: 0, people: 0 };
  const people = new Set<string>();
  for (const row of rows) {
    const entry = (JSON.parse(row.report_only!) as ReportOnlyEntry[]).find((e) => e.policyId === policyId);
    if (!entry) continue;
    out.applied++;
    if (entry.wouldBe === 'satisfied') continue;
    if (entry.wouldBe === 'block') out.wouldBlock++;
    else out.wouldChallenge++;
    if (row.user_id) people.add(row.user_id);
  }
  out.people = people.size;
  return out;
}
