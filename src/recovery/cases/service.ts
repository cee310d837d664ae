import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Tx } from '../../store/store.ts';
import type { MethodContext } from '../../methods/context.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import { ConflictError, InvalidInputError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { resolveUser } from '../../directory/users.ts';
import { presentBoundTables } from '../devices/bindings.ts';
import { resolveOperator } from '../operator.ts';
import { refuseSelf } from '../tap/issue.ts';
import { LIVE_STATUSES } from '../tap/model.ts';
import type { RecoveryCasesTable } from '../tables.ts';
import { caseRow, toCase, type RecoveryCase } from './model.ts';
import { CASE_STEPS, REQUIRED_STEPS, SCENARIO_DEFINITIONS, SCENARIOS, type CaseStep } from './scenarios.ts';
import { insertStep, stepAfter } from './progress.ts';
import { approveTapStep } from './steps/approve-tap.ts';
import { stepInputSchema, type StepHandler, type StepInput } from './steps/types.ts';
import { verifyIdentity } from './steps/verify-identity.ts';
import { issueTapStep } from './steps/issue-tap.ts';
import { deliverTap } from './steps/deliver-tap.ts';
import { newMethodRegistered } from './steps/new-method.ts';
import { oldDeviceRemoved } from './steps/old-device.ts';
import { signinConfirmed } from './steps/signin-confirmed.ts';
import { closeCase } from './steps/close.ts';

const HANDLERS: Record<CaseStep, StepHandler> = {
  verify_identity: verifyIdentity,
  issue_tap: issueTapStep,
  approve_tap: approveTapStep,
  deliver_tap: deliverTap,
  new_method_registered: newMethodRegistered,
  old_device_removed: oldDeviceRemoved,
  signin_confirmed: signinConfirmed,
  close: closeCase,
};

export const openCaseSchema = z.strictObject({
  user: z.string().trim().min(1).max(128),
  scenario: z.enum(SCENARIOS),
  /** The helpdesk person opening it (optional; recorded when given). */
  operator: z.string().trim().min(1).max(128).optional(),
  notes: z.string().trim().max(1000).optional(),
});
export type OpenCaseInput = z.input<typeof openCaseSchema>;

/**
 * Opens a helpdesk case for one of the three runbooks. One open case per
 * person at a time. Audited 'case.open'.
 */
export async function openCase(ctx: Pick<MethodContext, 'store'>, input: OpenCaseInput, by: ChangedBy & { now?: Date }): Promise<RecoveryCase> {
  const data = openCaseSchema.parse(input);
  const now = by.now ?? new Date();
  return auditedChange(ctx.store, async (trx, record) => {
    const user = await resolveUser(trx, data.user);
    if (user.kind === 'service') throw new RefusedError('service accounts have no people to recover');
    const operator = data.operator ? await resolveOperator(trx, data.operator, 'recovery:write') : null;
    if (operator) refuseSelf(operator, user.id, by.actor);
    else if (by.actor === `user:${user.id}`) throw new RefusedError('nobody may run a recovery for themselves');
    const open = await trx.selectFrom('recovery_cases').select('id').where('user_id', '=', user.id).where('status', '=', 'open').executeTakeFirst();
    if (open) throw new ConflictError(`${user.username} already has an open case (${open.id}): finish or cancel it first`);
    const row: RecoveryCasesTable = {
      id: randomUUID(),
      user_id: user.id,
      username: user.username,
      scenario: data.scenario,
      status: 'open',
      next_step: SCENARIO_DEFINITIONS[data.scenario].steps[0]!,
      opened_at: now.toISOString(),
      // The person who opened it (named with --as or operator), not the CLI account or API token
      // they used: that channel stays in the audit entry's actor.
      opened_by: operator ? `user:${operator.userId}` : by.actor,
      notes: data.notes ?? null,
      tap_id: null,
      recovered_at: null,
      closed_at: null,
      time_to_recover_seconds: null,
      cancel_reason: null,
    };
    await trx.insertInto('recovery_cases').values(row).execute();
    const kase = await toCase(trx, row);
    await record({
      actor: by.actor, action: 'case.open', target: `case:${row.id}`, requestId: by.requestId,
      after: { ...kase, steps: undefined, operatorId: operator?.userId ?? null },
    });
    return kase;
  });
}

export interface StepOutcome {
  case: RecoveryCase;
  /** Only issue_tap has output: the pass, shown once. */
  output?: Record<string, unknown>;
}

/**
 * Records the case's next step (steps go in order), or skips it with a reason.
 * Each step and each refusal is audited ('case.step.<step>', 'case.step.skip',
 * 'case.step.refused'); a refused step (email delivery) is recorded, then
 * reported to the caller as an error with the reason.
 */
export async function recordStep(
  ctx: MethodContext,
  caseId: string,
  step: string,
  rawInput: unknown,
  by: ChangedBy & { now?: Date },
): Promise<StepOutcome> {
  if (!(CASE_STEPS as readonly string[]).includes(step)) throw new InvalidInputError(`unknown step ${step}: steps are ${CASE_STEPS.join(', ')}`);
  const input: StepInput = stepInputSchema.parse(rawInput ?? {});
  const tables = await presentBoundTables(ctx.store.db);
  const now = by.now ?? new Date();
  const result = await auditedChange(ctx.store, async (trx, record) => {
    const kase = await caseRow(trx, caseId);
    if (kase.status !== 'open') throw new ConflictError(`this case is ${kase.status}`);
    if (step !== kase.next_step) throw new ConflictError(`this case waits for step ${kase.next_step}: steps go in order`);
    const done = await trx.selectFrom('recovery_case_steps').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
    const c = { secrets: ctx.secrets, trx, record, by, now, kase, done, tables };
    const s = step as CaseStep;
    if (input.skip) {
      await skipStep(trx, record, kase, s, input, by, now, done.length);
      return { refused: null, output: undefined };
    }
    const out = await HANDLERS[s](c, input);
    const seq = done.length + 1;
    const operatorId = out.operatorId ?? null;
    if ('refused' in out) {
      await insertStep(trx, kase.id, seq, s, 'refused', by.actor, operatorId, out.details, out.refused, now);
      await record({ actor: by.actor, action: 'case.step.refused', target: `case:${kase.id}`, requestId: by.requestId, after: { step: s, details: out.details, reason: out.refused } });
      return { refused: out.refused, output: undefined };
    }
    await insertStep(trx, kase.id, seq, s, 'done', by.actor, operatorId, out.details, null, now);
    const next = await stepAfter(trx, kase, s, out.casePatch?.tap_id ?? kase.tap_id);
    await trx.updateTable('recovery_cases').set({ next_step: next, ...out.casePatch }).where('id', '=', kase.id).execute();
    await record({ actor: by.actor, action: `case.step.${s}`, target: `case:${kase.id}`, requestId: by.requestId, after: { userId: kase.user_id, operatorId, details: out.details } });
    return { refused: null, output: out.output };
  });
  if (result.refused) throw new RefusedError(result.refused);
  return { case: await toCase(ctx.store.db, await caseRow(ctx.store.db, caseId)), output: result.output };
}

const MIN_REASON = 5;

async function skipStep(
  trx: Tx, record: RecordAudit, kase: RecoveryCasesTable, step: CaseStep,
  input: StepInput, by: ChangedBy, now: Date, count: number,
): Promise<void> {
  if (REQUIRED_STEPS.includes(step)) throw new RefusedError(`${step} cannot be skipped`);
  const reason = input.reason?.trim() ?? '';
  if (reason.length < MIN_REASON) throw new InvalidInputError('skipping a step needs a reason (a few words)');
  const operatorId = input.operator ? (await resolveOperator(trx, input.operator)).userId : null;
  await insertStep(trx, kase.id, count + 1, step, 'skipped', by.actor, operatorId, {}, reason, now);
  let next = await stepAfter(trx, kase, step, kase.tap_id);
  const skipped = [step];
  // No pass, nothing to deliver.
  if (step === 'issue_tap' && next === 'deliver_tap') {
    await insertStep(trx, kase.id, count + 2, 'deliver_tap', 'skipped', by.actor, operatorId, {}, 'no pass was issued in this case', now);
    skipped.push('deliver_tap');
    next = await stepAfter(trx, kase, 'deliver_tap', kase.tap_id);
  }
  await trx.updateTable('recovery_cases').set({ next_step: next }).where('id', '=', kase.id).execute();
  await record({ actor: by.actor, action: 'case.step.skip', target: `case:${kase.id}`, requestId: by.requestId, after: { userId: kase.user_id, steps: skipped, reason } });
}

/** Abandons an open case (the caller could not be verified, the person found the phone…); its pass is revoked. Audited 'case.cancel'. */
export async function cancelCase(ctx: Pick<MethodContext, 'store'>, caseId: string, reason: string, by: ChangedBy): Promise<RecoveryCase> {
  const why = reason.trim();
  if (why.length < MIN_REASON) throw new InvalidInputError('cancelling a case needs a reason (a few words)');
  return auditedChange(ctx.store, async (trx, record) => {
    const kase = await caseRow(trx, caseId);
    if (kase.status !== 'open') throw new ConflictError(`this case is already ${kase.status}`);
    const at = new Date().toISOString();
    if (kase.tap_id) {
      await trx
        .updateTable('temporary_access_passes')
        .set({ status: 'revoked', ended_at: at, ended_by: by.actor, end_reason: 'case cancelled' })
        .where('id', '=', kase.tap_id)
        .where('status', 'in', LIVE_STATUSES)
        .execute();
    }
    await trx.updateTable('recovery_cases').set({ status: 'cancelled', next_step: null, closed_at: at, cancel_reason: why.slice(0, 500) }).where('id', '=', caseId).execute();
    await record({ actor: by.actor, action: 'case.cancel', target: `case:${caseId}`, requestId: by.requestId, after: { userId: kase.user_id, reason: why } });
    return toCase(trx, await caseRow(trx, caseId));
  });
}

export async function getCase(db: Db | Tx, id: string): Promise<RecoveryCase> {
  return toCase(db, await caseRow(db, id));
}

export const caseFilterSchema = z.object({
  status: z.enum(['open', 'closed', 'cancelled']).optional(),
  user: z.string().trim().min(1).max(128).optional(),
  scenario: z.enum(SCENARIOS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type CaseFilter = z.input<typeof caseFilterSchema>;

/** Newest first, without their steps (getCase has them). */
export async function listCases(db: Db | Tx, filter: CaseFilter = {}): Promise<RecoveryCase[]> {
  const f = caseFilterSchema.parse(filter);
  let q = db.selectFrom('recovery_cases').selectAll();
  if (f.status) q = q.where('status', '=', f.status);
  if (f.scenario) q = q.where('scenario', '=', f.scenario);
  if (f.user) q = q.where('user_id', '=', (await resolveUser(db, f.user)).id);
  const rows = await q.orderBy('opened_at', 'desc').orderBy('id').limit(f.limit).execute();
  const out: RecoveryCase[] = [];
  for (const r of rows) out.push(await toCase(db, r, false));
  return out;
}
