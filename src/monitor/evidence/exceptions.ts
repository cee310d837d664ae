import type { Db } from '../../store/store.ts';
import type { NameActor } from './actors.ts';
import { figure, table, type Cell, type EvidencePeriod, type EvidenceSection } from './model.ts';

interface Approval {
  by: string;
  at: string;
}

/**
 * Who approved an exception, from the audit log: revoking one writes the
 * revoker over decided_by, and the approval stays only in its audit entry.
 */
async function approvalsOf(db: Db, ids: string[]): Promise<Map<string, Approval>> {
  if (!ids.length) return new Map();
  const entries = await db.selectFrom('audit_log').select(['target', 'actor', 'at'])
    .where('action', '=', 'policy.exception.approve').where('target', 'in', ids.map((id) => `exception:${id}`)).execute();
  return new Map(entries.map((e) => [e.target!.slice('exception:'.length), { by: e.actor, at: e.at }]));
}

/** Exceptions that excluded someone from a policy at any time in the period: approved, and not ended or revoked before it began. */
export async function exceptionSection(db: Db, period: EvidencePeriod, nameOf: NameActor): Promise<EvidenceSection> {
  const rows = await db.selectFrom('policy_exceptions as e').leftJoin('ca_policies as p', 'p.id', 'e.policy_id')
    .select(['e.id', 'e.policy_id', 'p.name as policy_name', 'e.subject_kind', 'e.subject', 'e.reason', 'e.status',
      'e.requested_by', 'e.decided_by', 'e.decided_at', 'e.starts_at', 'e.ends_at'])
    .where('e.status', 'in', ['approved', 'revoked']).where('e.starts_at', '<=', period.to).where('e.ends_at', '>=', period.from)
    .orderBy('e.starts_at').orderBy('e.id').execute();
  const approvals = await approvalsOf(db, rows.filter((r) => r.status === 'revoked').map((r) => r.id));
  const out: Array<Record<string, Cell>> = [];
  for (const r of rows) {
    const approval = r.status === 'approved' ? { by: r.decided_by!, at: r.decided_at! } : approvals.get(r.id);
    // Revoked while still pending: it never applied.
    if (!approval) continue;
    const endedAt = r.status === 'revoked' && r.decided_at! < r.ends_at ? r.decided_at! : r.ends_at;
    if (endedAt < period.from) continue;
    out.push({
      policy: r.policy_name ?? r.policy_id, subject: `${r.subject_kind} ${r.subject}`, reason: r.reason,
      requestedBy: await nameOf(r.requested_by), approvedBy: await nameOf(approval.by), approvedAt: approval.at,
      startsAt: r.starts_at, endsAt: r.ends_at, revokedAt: r.status === 'revoked' ? r.decided_at : null,
      revokedBy: r.status === 'revoked' ? await nameOf(r.decided_by) : null,
    });
  }
  return {
    id: 'exceptions',
    title: 'Policy exceptions',
    about: 'Every exception that excluded a person or a group from a policy at any time in the period. Each has a reason, an end date and an approver other than the person who asked for it.',
    figures: [
      figure('total', 'Exceptions in effect during the period', out.length),
      figure('revoked', 'Of which ended early', out.filter((r) => r.revokedAt !== null).length),
    ],
    tables: [
      table('exceptions', 'Exceptions', [
        ['policy', 'Policy'], ['subject', 'Excluded'], ['reason', 'Reason'], ['requestedBy', 'Asked for by'], ['approvedBy', 'Approved by'], ['approvedAt', 'Approved'],
        ['startsAt', 'From'], ['endsAt', 'Ends'], ['revokedAt', 'Ended early'], ['revokedBy', 'Ended by'],
      ], out),
    ],
  };
}
