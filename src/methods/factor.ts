import type { AppContext } from '../app/context.ts';
import type { MethodUse } from '../policy/strengths.ts';
import type { MethodType, VerifyResult } from './method.ts';

/**
 * The one contract every method that can be a sign-in factor keeps: password,
 * TOTP, backup code, WebAuthn (second factor and passkey), push, SMS, voice and
 * the Temporary Access Pass. The engine (src/signin/steps/prove.ts) proves any
 * of them the same way — throttled through src/methods/throttle, recorded in the
 * sign-in log and in the methods used with their time — so adding a method adds
 * a factor, never a new path through the sign-in.
 */
export type FactorContext = Pick<AppContext, 'store' | 'secrets' | 'config'>;

export interface FactorAttempt {
  /** The account being signed in to; undefined when the name matched no active account (still throttled, still compared). */
  userId: string | undefined;
  /** The throttle bucket when userId is undefined ("unknown:<name>"), so unknown names lock like real ones. */
  throttleAs: string;
  /** What the person typed, or what their authenticator answered. */
  response: unknown;
  /** The sign-in this attempt belongs to (challenges, codes and approvals are bound to it). */
  transactionId: string;
  ip: string;
  requestId: string;
}

export type FactorResult =
  /** userId: whose factor it was (a passkey names its owner). */
  | { ok: true; userId: string; use: MethodUse }
  | {
      ok: false;
      /** Short, stable: invalid, replayed, expired, locked, not_registered, or the method's own (a pass's state). */
      reason: string;
      /** With 'locked': when to try again; null until the helpdesk unlocks it. */
      retryAfterMs?: number | null;
      /** With 'locked': which limit refused the attempt. */
      throttle?: string;
      /** This failure locked the factor. */
      justLocked?: boolean;
      /** Whose factor was presented, when that is known (a passkey of someone else). */
      userId?: string;
    };

export interface Factor {
  method: MethodType;
  /** How its failures are named in the sign-in log ("passkey" for a passkey on the first page). */
  logAs: string;
  /** A first factor starts a sign-in (password, passkey, pass); a second factor needs one before it. */
  first: boolean;
  verify(ctx: FactorContext, attempt: FactorAttempt): Promise<FactorResult>;
}

/** The common throttled result of the verify* functions, as a factor result. */
export function fromVerifyResult(r: VerifyResult, userId: string | undefined, method: MethodType): FactorResult {
  if (r.ok && userId) return { ok: true, userId, use: { method } };
  if (r.ok) return { ok: false, reason: 'invalid' };
  return { ok: false, reason: r.reason, retryAfterMs: r.retryAfterMs, throttle: r.throttle, justLocked: r.justLocked };
}

/** A typed code: spaces and dashes people type or paste are not part of it. */
export function typedCode(response: unknown, max = 32): string | null {
  if (typeof response !== 'string') return null;
  const code = response.replace(/[\s-]/g, '');
  return code && code.length <= max ? code : null;
}
