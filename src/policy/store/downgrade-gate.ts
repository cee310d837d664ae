import type { Tx } from '../../store/store.ts';
import { RefusedError } from '../../directory/errors.ts';
import { analyseDowngrade, describeLosses, onlyAdds, type DowngradeReport } from '../downgrade.ts';
import type { PolicySet } from '../model.ts';
import { loadActiveStrengths } from './strengths-source.ts';
import { loadPolicySettings } from './settings.ts';
import { lockoutSubjects } from './subjects.ts';

/** A downgrade refused because no second administrator approved it; the report says who loses what. */
export class DowngradeNeedsApprovalError extends RefusedError {
  override name = 'DowngradeNeedsApprovalError';
  readonly report: DowngradeReport;
  constructor(message: string, report: DowngradeReport) {
    super(message);
    this.report = report;
  }
}

/** The approval an approved downgrade request carries into the change it applies. */
export interface DowngradeApproval {
  requestId: string;
  requestedBy: string;
  approvedBy: string;
}

/** Who would lose what if `proposed` replaced `current`, with the people as stored now. */
export async function downgradeReport(trx: Tx, current: PolicySet, proposed: PolicySet, now = new Date()): Promise<DowngradeReport> {
  const settings = await loadPolicySettings(trx);
  const subjects = await lockoutSubjects(trx, settings, now);
  return analyseDowngrade(current, proposed, subjects, { now, strengths: await loadActiveStrengths(trx) });
}

/**
 * The check before every policy change, inside its transaction: a change that
 * lowers what anyone must reach goes through only as an approved downgrade
 * request (four-eyes), never on one administrator's say.
 */
export async function guardDowngrade(
  trx: Tx,
  current: PolicySet,
  proposed: PolicySet,
  approval: DowngradeApproval | undefined,
  now = new Date(),
): Promise<{ report: DowngradeReport; approval: DowngradeApproval | null }> {
  // Adding policies cannot lower anything: no need to gather the people.
  const report = onlyAdds(current, proposed) ? { checkedUsers: 0, losses: [], people: [] } : await downgradeReport(trx, current, proposed, now);
  if (report.losses.length === 0) return { report, approval: null };
  if (!approval) {
    const n = report.people.length;
    throw new DowngradeNeedsApprovalError(
      `this change lowers what ${n} ${n === 1 ? 'person' : 'people'} must reach (${describeLosses(report)}); ` +
        'a second administrator must approve it: request it as a downgrade (POST /api/admin/policy-downgrades, or tessera downgrade request)',
      report,
    );
  }
  return { report, approval };
}
