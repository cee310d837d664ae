import type { AppContext } from '../../app/context.ts';
import { findUserById } from '../../directory/users.ts';
import { MethodError } from '../../methods/errors.ts';
import {
  beginWebauthnAuthentication, beginWebauthnRegistration, finishWebauthnRegistration, verifyWebauthn, type WebauthnKind,
  type WebauthnMode, type WebauthnVerifyResult,
} from '../../methods/webauthn/index.ts';
import type { MethodUse } from '../../policy/strengths.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { logBase } from './log.ts';
import { lockedMessage } from '../texts.ts';

/**
 * WebAuthn inside a sign-in: a passkey on the first page (passwordless, also
 * through the browser's autofill), a security key or passkey as the second
 * factor, and registration of one when the sign-in requires it (admins must use
 * phishing-resistant MFA). Each ceremony's challenge belongs to the transaction.
 */
export const ownerOf = (t: SigninTransaction) => `signin:${t.id}`;

export type CeremonyOptions =
  | { ceremony: 'authentication'; mode: WebauthnMode; options: unknown }
  | { ceremony: 'registration'; kind: WebauthnKind; options: unknown };

/** Options for the step the transaction is at; null when that step has no WebAuthn ceremony. */
export async function webauthnOptions(ctx: AppContext, t: SigninTransaction, kind: string): Promise<CeremonyOptions | null> {
  try {
    if (t.step === 'identify' && !t.sessionId) {
      return { ceremony: 'authentication', mode: 'passwordless', options: await beginWebauthnAuthentication(ctx, { owner: ownerOf(t), mode: 'passwordless' }) };
    }
    if (t.step === 'webauthn' && t.userId) {
      const options = await beginWebauthnAuthentication(ctx, { owner: ownerOf(t), mode: 'second_factor', userId: t.userId });
      return { ceremony: 'authentication', mode: 'second_factor', options };
    }
    if (t.step === 'register_webauthn' && t.userId && t.methodsUsed.length) {
      const k: WebauthnKind = kind === 'security_key' ? 'security_key' : 'passkey';
      return { ceremony: 'registration', kind: k, options: await beginWebauthnRegistration(ctx, { owner: ownerOf(t), userId: t.userId, kind: k }) };
    }
  } catch (err) {
    if (err instanceof MethodError) return null;
    throw err;
  }
  return null;
}

const MESSAGES = {
  invalid: 'That security key or passkey could not be verified. Try again, or use another method.',
  passkeyUnknown: 'That passkey is not registered here. Enter your username instead.',
  clone: 'This security key or passkey cannot be accepted: it may have been copied. Use another method and tell your helpdesk.',
} as const;

function recordUse(t: SigninTransaction, use: MethodUse): void {
  const { method, ...details } = use;
  t.methodsUsed.push(method);
  t.methodDetails = { ...t.methodDetails, [method]: details };
}

async function failure(ctx: AppContext, t: SigninTransaction, req: RequestFacts, r: Extract<WebauthnVerifyResult, { ok: false }>, what: string): Promise<StepOutcome> {
  await saveTransaction(ctx.store.db, t);
  const locked = r.reason === 'locked' || r.justLocked === true;
  const reason = r.cloneDetected
    ? 'webauthn_clone_detected'
    : r.justLocked ? `${what}_${r.reason}_locked` : locked ? `${what}_${r.throttle ?? 'locked'}` : `${what}_${r.reason}`;
  await writeSigninLog(ctx.store.db, { ...logBase(t, req, locked ? 'locked' : 'failure', reason), userId: t.userId ?? r.userId });
  if (locked) return show(t, lockedMessage(r.retryAfterMs), 429);
  if (r.cloneDetected) return show(t, MESSAGES.clone, 401);
  if (r.reason === 'not_registered') return show(t, MESSAGES.passkeyUnknown, 401);
  return show(t, MESSAGES.invalid, 401);
}

/** Passwordless, from the first page: whoever owns the passkey is signing in, no username or password typed. */
export async function submitPasskey(ctx: AppContext, t: SigninTransaction, response: unknown, req: RequestFacts): Promise<StepOutcome> {
  if (t.sessionId) return show(t, 'This sign-in cannot continue. Start again.', 400);
  t.methodsTried.push('webauthn');
  const r = await verifyWebauthn(ctx, { owner: ownerOf(t), mode: 'passwordless', response, userId: t.userId, ip: req.ip, requestId: req.requestId });
  if (!r.ok) return failure(ctx, t, req, r, 'passkey');
  const user = await findUserById(ctx.store.db, r.userId);
  if (!user || user.status !== 'active') {
    await saveTransaction(ctx.store.db, t);
    await writeSigninLog(ctx.store.db, { ...logBase(t, req, 'failure', 'user_disabled'), userId: r.userId });
    return show(t, MESSAGES.invalid, 401);
  }
  t.userId = user.id;
  t.usernameTyped = user.username;
  recordUse(t, r.use);
  return decideNext(ctx, t);
}

/** A security key or passkey as the second factor (or the factor a step-up asks for). */
export async function submitWebauthnFactor(ctx: AppContext, t: SigninTransaction, response: unknown, req: RequestFacts): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, 'This sign-in cannot continue. Start again.', 400);
  t.methodsTried.push('webauthn');
  const r = await verifyWebauthn(ctx, { owner: ownerOf(t), mode: 'second_factor', response, userId: t.userId, ip: req.ip, requestId: req.requestId });
  if (!r.ok) return failure(ctx, t, req, r, 'webauthn');
  recordUse(t, r.use);
  return decideNext(ctx, t);
}

/**
 * Registration interrupt: the new security key or passkey is registered and,
 * having just proved possession bound to this site, counts as this sign-in's
 * WebAuthn factor.
 */
export async function submitWebauthnRegistration(
  ctx: AppContext,
  t: SigninTransaction,
  response: unknown,
  name: string,
  req: RequestFacts,
): Promise<StepOutcome> {
  if (!t.userId || !t.methodsUsed.length) return show(t, 'This sign-in cannot continue. Start again.', 400);
  t.methodsTried.push('webauthn');
  const r = await finishWebauthnRegistration(ctx, {
    userId: t.userId, owner: ownerOf(t), response, name, actor: `user:${t.userId}`, requestId: req.requestId, ip: req.ip,
  });
  if (!r.ok) {
    await saveTransaction(ctx.store.db, t);
    await writeSigninLog(ctx.store.db, logBase(t, req, r.reason === 'locked' ? 'locked' : 'failure', `webauthn_registration_${r.reason}`));
    return show(t, r.reason === 'locked' ? lockedMessage(r.retryAfterMs) : r.message, r.reason === 'locked' ? 429 : 400);
  }
  recordUse(t, r.use);
  return decideNext(ctx, t);
}
