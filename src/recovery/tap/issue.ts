import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MethodContext } from '../../methods/context.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import type { Tx } from '../../store/store.ts';
import { InvalidInputError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { resolveUser } from '../../directory/users.ts';
import { raiseAlert } from '../../monitor/alerts.ts';
import type { TemporaryAccessPassesTable } from '../tables.ts';
import { privilegedTarget, resolveOperator, type Operator } from '../operator.ts';
import { loadTapPolicy, TAP_LIMITS, type TapPolicy } from './policy.ts';
import { generatePass, sealPass } from './pass.ts';
import { endLiveTaps, toTapView, type TapView } from './model.ts';

/** How far ahead a pass may be set to start, and how much clock skew a start "now" may carry. */
const MAX_START_AHEAD_MS = 30 * 24 * 3600 * 1000;
const START_SKEW_MS = 5 * 60 * 1000;

export const issueTapSchema = z.strictObject({
  /** The account the pass is for (id or username). */
  user: z.string().trim().min(1).max(128),
  /** The person issuing it (id or username): must hold the recovery:write permission through a role. */
  operator: z.string().trim().min(1).max(128),
  lifetimeMinutes: z.number().int().positive().optional(),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  multiUse: z.boolean().optional(),
  length: z.number().int().optional(),
  /** A second privileged person who must approve it; required in effect for privileged accounts (any may approve if none is named). */
  approver: z.string().trim().min(1).max(128).optional(),
  caseId: z.string().min(1).max(128).optional(),
});
export type IssueTapInput = z.input<typeof issueTapSchema>;

export interface IssuedTap {
  tap: TapView;
  /** The pass: shown to the issuer once, for delivery over a secure channel. Never stored, never logged. */
  pass: string;
}

interface Settled {
  lifetimeMinutes: number;
  length: number;
  oneTime: boolean;
  startsAt: Date;
}

function settle(input: z.output<typeof issueTapSchema>, policy: TapPolicy, now: Date): Settled {
  const lifetimeMinutes = input.lifetimeMinutes ?? policy.defaultLifetimeMinutes;
  if (lifetimeMinutes < policy.minLifetimeMinutes || lifetimeMinutes > policy.maxLifetimeMinutes) {
    throw new InvalidInputError(
      `the lifetime must be between ${policy.minLifetimeMinutes} and ${policy.maxLifetimeMinutes} minutes (the TAP policy's bounds); ${lifetimeMinutes} was asked`,
    );
  }
  const length = input.length ?? policy.defaultLength;
  if (length < TAP_LIMITS.minLength || length > TAP_LIMITS.maxLength) {
    throw new InvalidInputError(`the length must be between ${TAP_LIMITS.minLength} and ${TAP_LIMITS.maxLength} characters`);
  }
  if (input.multiUse && !policy.allowMultiUse) {
    throw new RefusedError('the TAP policy allows one-time passes only; an admin can allow multi-use passes in the TAP policy');
  }
  const startsAt = input.startsAt ? new Date(input.startsAt) : now;
  if (startsAt.getTime() < now.getTime() - START_SKEW_MS) throw new InvalidInputError('the start time is in the past');
  if (startsAt.getTime() > now.getTime() + MAX_START_AHEAD_MS) throw new InvalidInputError('the start time may be at most 30 days ahead');
  return { lifetimeMinutes, length, oneTime: !input.multiUse, startsAt: startsAt < now ? now : startsAt };
}

/**
 * Issues a Temporary Access Pass, replacing any the user still had. Refused
 * for oneself, for disabled and service accounts, and outside the policy's
 * bounds. A pass for a privileged account (a privileged role, or break-glass)
 * needs a privileged issuer and is created pending: it works only once a
 * different privileged person approves it (approveTap). Audited 'tap.create'.
 */
export async function issueTap(ctx: MethodContext, input: IssueTapInput, by: ChangedBy & { now?: Date }): Promise<IssuedTap> {
  const data = issueTapSchema.parse(input);
  return auditedChange(ctx.store, (trx, record) => issueTapIn(ctx.secrets, trx, record, data, by));
}

/** The same, inside an audited transaction the caller holds (a helpdesk case's step). */
export async function issueTapIn(
  secrets: SecretBox,
  trx: Tx,
  record: RecordAudit,
  input: IssueTapInput,
  by: ChangedBy & { now?: Date },
): Promise<IssuedTap> {
  const data = issueTapSchema.parse(input);
  const now = by.now ?? new Date();
  const policy = await loadTapPolicy(trx);
  const s = settle(data, policy, now);
  const target = await resolveUser(trx, data.user);
  const operator = await resolveOperator(trx, data.operator, 'recovery:write');
  refuseSelf(operator, target.id, by.actor);
  if (target.status !== 'active') throw new RefusedError(`${target.username} is disabled: enable the account before issuing a pass`);
  if (target.kind === 'service') throw new RefusedError('service accounts do not sign in interactively and cannot get a pass');
  const privileged = await privilegedTarget(trx, target);
  if (privileged && !operator.privileged) {
    throw new RefusedError(`${target.username} is a privileged account: only a holder of a privileged role may issue a pass for it`);
  }
  let approverId: string | null = null;
  if (data.approver) {
    const approver = await resolveOperator(trx, data.approver);
    checkApprover(approver, operator.userId, target.id);
    approverId = approver.userId;
  }
  const needsApproval = privileged || approverId !== null;
  const replaced = await endLiveTaps(trx, target.id, 'replaced', by.actor, 'a new pass was issued', now);
  const pass = generatePass(s.length);
  const sealed = sealPass(secrets, pass);
  const row: TemporaryAccessPassesTable = {
    id: randomUUID(),
    user_id: target.id,
    key_sealed: sealed.keySealed,
    digest: sealed.digest,
    status: needsApproval ? 'pending_approval' : 'active',
    one_time: s.oneTime ? 1 : 0,
    length: s.length,
    starts_at: s.startsAt.toISOString(),
    expires_at: new Date(s.startsAt.getTime() + s.lifetimeMinutes * 60_000).toISOString(),
    created_at: now.toISOString(),
    created_by: by.actor,
    issued_by: operator.userId,
    needs_approval: needsApproval ? 1 : 0,
    approver_id: approverId,
    approved_by: null,
    approved_at: null,
    use_count: 0,
    first_used_at: null,
    last_used_at: null,
    ended_at: null,
    ended_by: null,
    end_reason: null,
    case_id: data.caseId ?? null,
  };
  await trx.insertInto('temporary_access_passes').values(row).execute();
  const tap: TapView = { ...toTapView(row, now), issuedByUsername: operator.username };
  await record({
    actor: by.actor,
    action: 'tap.create',
    target: `user:${target.id}`,
    requestId: by.requestId,
    before: replaced.length ? { replaced: replaced.map((r) => r.id) } : undefined,
    after: { ...tap, privilegedAccount: privileged },
  });
  if (privileged) {
    await raiseAlert(trx, {
      severity: 'medium',
      kind: 'tap.privileged_issued',
      userId: target.id,
      username: target.username,
      details: { tapId: row.id, issuedBy: operator.username, actor: by.actor, awaitingApproval: true },
      at: now,
    });
  }
  return { tap, pass };
}

/** Nobody issues (or approves) a pass for themselves, whichever way they are named. */
export function refuseSelf(operator: Operator, targetId: string, actor: string): void {
  if (operator.userId === targetId || actor === `user:${targetId}`) {
    throw new RefusedError('nobody may issue or approve a Temporary Access Pass for themselves');
  }
}

export function checkApprover(approver: Operator, issuerId: string, targetId: string): void {
  if (!approver.privileged) throw new RefusedError(`${approver.username} holds no privileged role and cannot approve a pass`);
  if (approver.userId === issuerId) throw new RefusedError('the approver must be a different person from the issuer (four-eyes)');
  if (approver.userId === targetId) throw new RefusedError('nobody may issue or approve a Temporary Access Pass for themselves');
}
