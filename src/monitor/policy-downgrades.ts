import type { Store } from '../store/store.ts';
import type { ChangedBy } from '../directory/errors.ts';
import { approveDowngrade, type DowngradeRecord } from '../policy/store/downgrades.ts';
import { raiseAlert } from './alerts.ts';

/**
 * Approving a downgrade, announced: the alert commits with the change, so a
 * security person sees every lowered requirement the moment it takes effect.
 */
export function approveDowngradeWithAlert(store: Store, id: string, by: ChangedBy, now = new Date()): Promise<DowngradeRecord> {
  return approveDowngrade(store, id, by, async (trx, applied) => {
    await raiseAlert(trx, {
      severity: 'high',
      kind: 'policy.downgrade',
      at: now,
      details: {
        requestId: applied.id,
        change: applied.summary,
        reason: applied.reason,
        requestedBy: applied.requestedBy,
        approvedBy: applied.decidedBy,
        people: applied.report.people.length,
        losses: applied.report.losses.slice(0, 20).map((l) => l.message),
      },
    });
  }, now);
}
