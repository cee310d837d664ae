import type { AppContext } from '../../app/context.ts';
import { findUserById } from '../../directory/users.ts';
import type { Factor, FactorResult } from '../../methods/factor.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import type { MethodUse } from '../../policy/strengths.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { FACTOR_STATUS, FACTOR_TEXT, lockedMessage, SIGNIN_TEXT } from '../texts.ts';
import { logBase } from './log.ts';
import { decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';

/**
 * Proves one factor, whichever method it is (src/methods/factor.ts): the
 * attempt is throttled by the method, a failure is one sign-in log row and a
 * plain message, a success joins the methods used (with its time) and the
 * engine asks the access decision what follows. A first factor (password,
 * pass, passkey) starts from the typed name; a second factor needs one before it.
 */
export async function proveFactor(ctx: AppContext, t: SigninTransaction, factor: Factor, response: unknown, req: RequestFacts): Promise<StepOutcome> {
  const db = ctx.store.db;
  const passkey = factor.logAs === 'passkey';
  if (factor.first ? passkey && !!t.sessionId : !t.userId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  // The account behind a typed name: an unknown or disabled one is compared and throttled all the same, and told the same.
  const typed = factor.first && !passkey && t.userId ? await findUserById(db, t.userId) : undefined;
  const account = !factor.first || passkey ? 'active' : !typed ? 'unknown' : typed.status === 'active' ? 'active' : 'disabled';
  t.methodsTried.push(factor.method);
  const r = await factor.verify(ctx, {
    userId: account === 'active' ? (t.userId ?? undefined) : undefined,
    throttleAs: t.userId ?? `unknown:${(t.usernameTyped ?? '').toLowerCase()}`,
    response, transactionId: t.id, ip: req.ip, requestId: req.requestId,
  });
  if (!r.ok) return refused(ctx, t, factor, r, account, req);
  if (passkey) {
    const owner = await findUserById(db, r.userId);
    t.userId = r.userId;
    t.usernameTyped = owner?.username ?? t.usernameTyped;
  }
  record(t, factor, r.use);
  return decideNext(ctx, t);
}

function record(t: SigninTransaction, factor: Factor, use: MethodUse): void {
  const { method, ...details } = use;
  if (factor.method === 'tap') {
    // The pass stands in for everything verified so far: a session of its own, never an upgrade of an older one.
    t.methodsUsed = [];
    t.methodDetails = {};
    t.sessionId = null;
    t.enrolmentId = null;
  }
  t.methodsUsed.push(method);
  t.methodDetails = { ...t.methodDetails, [method]: { ...details, at: new Date().toISOString() } };
}

async function refused(
  ctx: AppContext, t: SigninTransaction, factor: Factor, r: Extract<FactorResult, { ok: false }>, account: 'active' | 'unknown' | 'disabled', req: RequestFacts,
): Promise<StepOutcome> {
  await saveTransaction(ctx.store.db, t);
  const locked = r.reason === 'locked' || r.justLocked === true;
  const detail = account === 'unknown' ? 'unknown_user' : account === 'disabled' ? 'user_disabled' : factorDetail(factor, r.reason);
  const reason = r.justLocked ? `${detail}_locked` : r.reason === 'locked' ? `${factor.logAs}_${r.throttle ?? 'locked'}` : detail;
  const result = locked || r.reason === 'code_locked' ? 'locked' : 'failure';
  await writeSigninLog(ctx.store.db, { ...logBase(t, req, result, reason), userId: t.userId ?? r.userId ?? null });
  if (locked) return show(t, lockedMessage(r.retryAfterMs), 429);
  const texts = FACTOR_TEXT[factor.logAs] ?? {};
  const shown = account === 'active' ? r.reason : 'invalid';
  return show(t, texts[shown] ?? texts.invalid ?? SIGNIN_TEXT.cannotContinue, FACTOR_STATUS[`${shown}_${factor.logAs}`] ?? FACTOR_STATUS[shown] ?? 401);
}

/** How a refusal is named in the sign-in log: stable codes that reports and detections key on. */
function factorDetail(factor: Factor, reason: string): string {
  if (factor.method === 'password') return 'bad_password';
  if (reason === 'clone_detected') return 'webauthn_clone_detected';
  return `${factor.logAs}_${reason}`;
}
