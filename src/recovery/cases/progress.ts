import { randomUUID } from 'node:crypto';
import type { RecordAudit } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';
import type { Tx } from '../../store/store.ts';
import type { RecoveryCasesTable } from '../tables.ts';
import { SCENARIO_DEFINITIONS, type CaseStep, type Scenario } from './scenarios.ts';

/** One recorded step of a case (done, skipped or refused), in order. */
export async function insertStep(
  trx: Tx, caseId: string, seq: number, step: string, outcome: 'done' | 'skipped' | 'refused',
  actor: string, operatorId: string | null, details: Record<string, unknown>, reason: string | null, now: Date,
): Promise<void> {
  await trx
    .insertInto('recovery_case_steps')
    .values({ id: randomUUID(), case_id: caseId, seq, step, outcome, at: now.toISOString(), actor, operator_id: operatorId, details: JSON.stringify(details), reason })
    .execute();
}

/**
 * The step after `step` in the case's runbook. approve_tap is one only while
 * the case's pass waits for a second person: a pass that needs no approval
 * (an ordinary account) goes straight on to its delivery.
 */
export async function stepAfter(trx: Tx, kase: Pick<RecoveryCasesTable, 'scenario'>, step: CaseStep, tapId: string | null): Promise<CaseStep | null> {
  const steps = SCENARIO_DEFINITIONS[kase.scenario as Scenario].steps;
  const next = steps[steps.indexOf(step) + 1] ?? null;
  if (next !== 'approve_tap') return next;
  const tap = tapId ? await trx.selectFrom('temporary_access_passes').select('status').where('id', '=', tapId).executeTakeFirst() : undefined;
  return tap?.status === 'pending_approval' ? next : stepAfter(trx, kase, next, tapId);
}

/**
 * A pass of a case approved with `tap approve` (not through the case): the
 * case records its approve_tap step then and there, in the same transaction,
 * so the runbook shows who approved it and moves on to delivery.
 */
export async function noteTapApproved(
  trx: Tx, record: RecordAudit, tap: { id: string; caseId: string | null }, approverId: string, by: ChangedBy, now: Date,
): Promise<void> {
  if (!tap.caseId) return;
  const kase = await trx.selectFrom('recovery_cases').selectAll().where('id', '=', tap.caseId).executeTakeFirst();
  if (!kase || kase.status !== 'open' || kase.next_step !== 'approve_tap' || kase.tap_id !== tap.id) return;
  const count = await trx.selectFrom('recovery_case_steps').select((eb) => eb.fn.countAll().as('n')).where('case_id', '=', kase.id).executeTakeFirstOrThrow();
  const details = { tapId: tap.id, via: 'tap approve' };
  await insertStep(trx, kase.id, Number(count.n) + 1, 'approve_tap', 'done', by.actor, approverId, details, null, now);
  await trx.updateTable('recovery_cases').set({ next_step: await stepAfter(trx, kase, 'approve_tap', tap.id) }).where('id', '=', kase.id).execute();
  await record({ actor: by.actor, action: 'case.step.approve_tap', target: `case:${kase.id}`, requestId: by.requestId, after: { userId: kase.user_id, operatorId: approverId, details } });
}
