import type { Db } from '../../store/store.ts';
import type { NameActor } from './actors.ts';
import { figure, table, type EvidencePeriod, type EvidenceSection } from './model.ts';

/** Temporary Access Passes issued in the period (read from the recovery capability's table; never the pass itself). */
export async function tapSection(db: Db, period: EvidencePeriod, nameOf: NameActor): Promise<EvidenceSection> {
  const passes = await db.selectFrom('temporary_access_passes as t').innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.username', 't.created_at', 't.issued_by', 't.needs_approval', 't.approved_by', 't.one_time', 't.starts_at', 't.expires_at', 't.status', 't.use_count', 't.case_id'])
    .where('t.created_at', '>=', period.from).where('t.created_at', '<=', period.to)
    .orderBy('t.created_at').orderBy('t.id').execute();
  const rows = [];
  for (const p of passes) {
    rows.push({
      person: p.username, issuedAt: p.created_at, issuedBy: await nameOf(p.issued_by), approvedBy: Number(p.needs_approval) ? await nameOf(p.approved_by) : 'not needed',
      use: Number(p.one_time) ? 'one-time' : 'multi-use', validFrom: p.starts_at, validUntil: p.expires_at, state: p.status, uses: Number(p.use_count), forCase: p.case_id !== null,
    });
  }
  return {
    id: 'taps',
    title: 'Temporary Access Passes issued',
    about: 'Passes the helpdesk issued in the period after verifying the person: time-bound, stored only as a keyed hash, and approved by a second privileged person when the account is privileged.',
    figures: [
      figure('issued', 'Issued in the period', passes.length),
      figure('fourEyes', 'Needed a second approver', passes.filter((p) => Number(p.needs_approval)).length),
      figure('used', 'Used at least once', passes.filter((p) => Number(p.use_count) > 0).length),
      figure('multiUse', 'Multi-use', passes.filter((p) => !Number(p.one_time)).length),
    ],
    tables: [
      table('taps', 'Temporary Access Passes', [
        ['person', 'For'], ['issuedAt', 'Issued'], ['issuedBy', 'Issued by'], ['approvedBy', 'Approved by'], ['use', 'Use'], ['validFrom', 'Valid from'],
        ['validUntil', 'Valid until'], ['state', 'State'], ['uses', 'Times used'], ['forCase', 'Part of a recovery case'],
      ], rows),
    ],
  };
}
