import type { AppContext } from '../../app/context.ts';
import { MethodError } from '../../methods/errors.ts';
import {
  beginWebauthnAuthentication, beginWebauthnRegistration, finishWebauthnRegistration, type WebauthnKind,
  type WebauthnMode,
} from '../../methods/webauthn/index.ts';
import { passkeyFactor, signinOwner, webauthnFactor } from '../../methods/webauthn/factor.ts';
import { writeSigninLog } from '../../monitor/signin-log.ts';
import { saveTransaction, type SigninTransaction } from '../transaction.ts';
import { decideNext } from './next.ts';
import { show, type RequestFacts, type StepOutcome } from './outcome.ts';
import { logBase } from './log.ts';
import { lockedMessage, SIGNIN_TEXT } from '../texts.ts';
import { proveFactor } from './prove.ts';

/**
 * WebAuthn inside a sign-in: a passkey on the first page (passwordless, also
 * through the browser's autofill), a security key or passkey as the second
 * factor, and registration of one when the sign-in requires it (admins must use
 * phishing-resistant MFA). Each ceremony's challenge belongs to the transaction.
 */
export const ownerOf = (t: SigninTransaction) => signinOwner(t.id);

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
    if (t.step === 'reset') {
      // A forgotten password: the typed person's passkeys, user-verified; for a name with none (or no
      // such person) any passkey, which then fails as not theirs, so the page tells nobody which names have one.
      const begin = (userId: string | null) => beginWebauthnAuthentication(ctx, { owner: ownerOf(t), mode: 'passwordless', userId });
      const forPerson = t.userId ? await begin(t.userId).catch((err: unknown) => {
        if (err instanceof MethodError) return null;
        throw err;
      }) : null;
      return { ceremony: 'authentication', mode: 'passwordless', options: forPerson ?? (await begin(null)) };
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

/** Passwordless, from the first page: whoever owns the passkey is signing in, no username or password typed. */
export function submitPasskey(ctx: AppContext, t: SigninTransaction, response: unknown, req: RequestFacts): Promise<StepOutcome> {
  return proveFactor(ctx, t, passkeyFactor, response, req);
}

/** A security key or passkey as the second factor (or the factor a step-up asks for). */
export function submitWebauthnFactor(ctx: AppContext, t: SigninTransaction, response: unknown, req: RequestFacts): Promise<StepOutcome> {
  return proveFactor(ctx, t, webauthnFactor, response, req);
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
  if (!t.userId || !t.methodsUsed.length) return show(t, SIGNIN_TEXT.cannotContinue, 400);
  t.methodsTried.push('webauthn');
  const r = await finishWebauthnRegistration(ctx, {
    userId: t.userId, owner: ownerOf(t), response, name, actor: `user:${t.userId}`, requestId: req.requestId, ip: req.ip,
  });
  if (!r.ok) {
    await saveTransaction(ctx.store.db, t);
    await writeSigninLog(ctx.store.db, logBase(t, req, r.reason === 'locked' ? 'locked' : 'failure', `webauthn_registration_${r.reason}`));
    return show(t, r.reason === 'locked' ? lockedMessage(r.retryAfterMs) : r.message, r.reason === 'locked' ? 429 : 400);
  }
  const { method, ...details } = r.use;
  t.methodsUsed.push(method);
  t.methodDetails = { ...t.methodDetails, [method]: { ...details, at: new Date().toISOString() } };
  return decideNext(ctx, t);
}
