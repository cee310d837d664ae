import type { Db } from '../../store/store.ts';
import type { NameActor } from './actors.ts';
import { figure, table, type EvidencePeriod, type EvidenceSection } from './model.ts';

/** Helpdesk recovery cases opened or closed in the period (read from the recovery capability's table). */
export async function recoveryCaseSection(db: Db, period: EvidencePeriod, nameOf: NameActor): Promise<EvidenceSection> {
  const within = (at: string | null) => at !== null && at >= period.from && at <= period.to;
  const cases = await db.selectFrom('recovery_cases')
    .select(['id', 'username', 'scenario', 'status', 'opened_at', 'opened_by', 'closed_at', 'time_to_recover_seconds', 'cancel_reason', 'tap_id'])
    .where((eb) => eb.or([
      eb.and([eb('opened_at', '>=', period.from), eb('opened_at', '<=', period.to)]),
      eb.and([eb('closed_at', '>=', period.from), eb('closed_at', '<=', period.to)]),
    ]))
    .orderBy('opened_at').orderBy('id').execute();
  const rows = [];
  for (const c of cases) {
    rows.push({
      person: c.username, scenario: c.scenario, status: c.status, openedAt: c.opened_at, openedBy: await nameOf(c.opened_by), closedAt: c.closed_at,
      hoursToRecover: c.time_to_recover_seconds === null ? null : Math.round(Number(c.time_to_recover_seconds) / 36) / 100, passIssued: c.tap_id !== null, cancelReason: c.cancel_reason,
    });
  }
  const closed = cases.filter((c) => c.status === 'closed' && within(c.closed_at));
  return {
    id: 'recovery-cases',
    title: 'Recovery cases',
    about: 'Helpdesk cases for people who lost their sign-in methods, opened or closed in the period; each follows an ordered, audited runbook.',
    figures: [
      figure('opened', 'Opened in the period', cases.filter((c) => within(c.opened_at)).length),
      figure('closed', 'Closed in the period', closed.length),
      figure('cancelled', 'Cancelled in the period', cases.filter((c) => c.status === 'cancelled' && within(c.closed_at)).length),
      figure('open', 'Still open', cases.filter((c) => c.status === 'open').length),
    ],
    tables: [
      table('recovery-cases', 'Recovery cases', [
        ['person', 'Person'], ['scenario', 'Runbook'], ['status', 'Status'], ['openedAt', 'Opened'], ['openedBy', 'Opened by'], ['closedAt', 'Closed'],
        ['hoursToRecover', 'Hours to recover'], ['passIssued', 'Temporary Access Pass issued'], ['cancelReason', 'Why cancelled'],
      ], rows),
    ],
  };
}
