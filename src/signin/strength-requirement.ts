import { amrFor as methodAmr, isMethodType } from '../methods/method.ts';
import { builtinStrength, methodsMentioned, strengthSatisfied, type MethodUse, type StrengthDefinition } from '../policy/strengths.ts';
import type { SigninTransaction } from './transaction.ts';
import type { UserFacts } from './user-facts.ts';

/**
 * Once the access decision says what is still missing (src/policy/access),
 * which step the engine asks for next, and what the methods used add up to
 * (RFC 8176 amr). What must be reached is decided there, never here.
 */

/** The transaction's verified methods with the properties the strengths look at. */
export function transactionUses(t: Pick<SigninTransaction, 'methodsUsed' | 'methodDetails'>): MethodUse[] {
  return t.methodsUsed.map((method) => ({ method, ...(t.methodDetails[method] ?? {}) }));
}

/**
 * The next step when the requirement is not met yet, strongest method first:
 * a registered method that helps every unmet strength; otherwise registration
 * of an authenticator app when every unmet strength accepts one, else of a
 * security key or passkey — but only for a user with no second factor at all or
 * once MFA is proven in this sign-in, so a password alone never adds a factor
 * to an account that has one; otherwise another registered factor first.
 * After a Temporary Access Pass only registration is offered (the pass is for
 * someone who lost their methods). Null: nothing this user can do here reaches it.
 */
export function nextStep(
  unmet: readonly StrengthDefinition[],
  uses: readonly MethodUse[],
  facts: Pick<UserFacts, 'secondFactors'>,
  verifiable: readonly string[],
): string | null {
  const used = new Set(uses.map((u) => u.method));
  // An authenticator app is enough when every unmet strength accepts one; otherwise it takes a key or passkey.
  const totpEnough = unmet.every((s) => methodsMentioned(s).has('totp'));
  // A pass is for someone whose methods are lost: never ask for a registered one, register what is needed.
  if (used.has('tap')) {
    if (!totpEnough && !used.has('webauthn')) return 'register_webauthn';
    if (totpEnough && !used.has('totp')) return 'register_totp';
    return null;
  }
  const open = verifiable.filter((m) => facts.secondFactors.includes(m) && !used.has(m));
  const helpful = open.filter((m) => unmet.every((s) => methodsMentioned(s).has(m)));
  if (helpful[0]) return helpful[0];
  const mfaProven = strengthSatisfied(builtinStrength('mfa'), uses);
  if (facts.secondFactors.length === 0 || mfaProven) {
    if (!totpEnough && !facts.secondFactors.includes('webauthn')) return 'register_webauthn';
    if (totpEnough && !facts.secondFactors.includes('totp')) return 'register_totp';
    return null;
  }
  return open[0] ?? null;
}

/**
 * RFC 8176 amr for what was used: the methods' values, plus for a WebAuthn
 * assertion 'user' when the authenticator verified the user (which makes it
 * MFA on its own) and 'swk' instead of 'hwk' for a synced passkey.
 */
export function amrForUses(uses: readonly MethodUse[]): string[] {
  const values = new Set<string>(methodAmr(uses.map((u) => u.method).filter(isMethodType)));
  const webauthn = uses.find((u) => u.method === 'webauthn');
  if (webauthn) {
    if (webauthn.backupEligible) {
      values.delete('hwk');
      values.add('swk');
    }
    if (webauthn.userVerified) {
      values.add('user');
      values.add('mfa');
    }
  }
  return [...values].sort();
}
