import type { AppContext } from '../app/context.ts';
import { getWebauthnSettings } from '../methods/webauthn/settings.ts';
import { amrFor as methodAmr, isMethodType } from '../methods/method.ts';
import {
  builtinStrength, CUSTOM_ACR_PREFIX, methodsMentioned, reachedStrength, strengthById, strengthForAcr, strengthSatisfied,
  type MethodUse, type StrengthDefinition,
} from '../policy/strengths.ts';
import { ACR, requiredAcr, type Acr } from './acr.ts';
import { listCustomStrengths } from '../policy/store/strength-catalog.ts';
import type { SigninTransaction } from './transaction.ts';
import type { UserFacts } from './user-facts.ts';
import type { ConfigSnapshot } from '../policy/store/config-snapshot.ts';

/**
 * What a sign-in must reach, as authentication strengths: the engine's
 * baseline (admins: phishing-resistant MFA while that setting is on; users
 * with a second factor: MFA; an app's acr_values may raise it), plus a custom
 * strength when the app asked for one by its acr. All of them must be satisfied.
 */
export interface Requirement {
  acr: Acr;
  reason: string;
  strengths: StrengthDefinition[];
  /** The custom strength the app asked for, when it did and it exists. */
  custom: StrengthDefinition | null;
}

const LADDER_STRENGTH: Partial<Record<Acr, Parameters<typeof builtinStrength>[0]>> = {
  [ACR.mfa]: 'mfa',
  [ACR.passwordless]: 'passwordless_mfa',
  [ACR.phishingResistant]: 'phishing_resistant_mfa',
};

export async function signinRequirement(
  ctx: Pick<AppContext, 'store'>,
  facts: UserFacts,
  requested: readonly string[],
  /** Strength ids conditional access demands (src/policy): they replace the role and enrolment rule. */
  policyStrengths?: readonly string[],
  /** The configuration the caller already holds (src/policy/store/config-snapshot.ts). */
  config?: Pick<ConfigSnapshot, 'webauthn' | 'customStrengths'>,
): Promise<Requirement> {
  const settings = config?.webauthn ?? (await getWebauthnSettings(ctx.store.db));
  const customStrengths = async () => config?.customStrengths ?? (await listCustomStrengths(ctx.store.db));
  const byPolicy = policyStrengths !== undefined;
  const base = requiredAcr({
    // With policies deciding, only the methods setting for admins and the app's acr_values remain here.
    isAdmin: byPolicy ? facts.isAdmin && settings.adminsRequirePhishingResistant : facts.isAdmin,
    hasSecondFactor: byPolicy ? false : facts.secondFactors.length > 0,
    requestedAcr: requested,
    adminRequiresPhishingResistant: settings.adminsRequirePhishingResistant,
  });
  const strengths: StrengthDefinition[] = [];
  const ladder = LADDER_STRENGTH[base.acr];
  if (ladder) strengths.push(builtinStrength(ladder));
  if (byPolicy) {
    const customs = await customStrengths();
    for (const id of policyStrengths) {
      // A strength that no longer exists can be satisfied by nothing: fail closed.
      const s = strengthById(id, customs) ?? { id, displayName: id, description: 'unknown strength', acr: `${CUSTOM_ACR_PREFIX}${id}`, builtin: false, combinations: [] };
      if (!strengths.some((x) => x.id === s.id)) strengths.push(s);
    }
  }
  let custom: StrengthDefinition | null = null;
  const wanted = requested.find((a) => a.startsWith(CUSTOM_ACR_PREFIX));
  if (wanted) {
    custom = strengthForAcr(wanted, await customStrengths()) ?? null;
    if (custom) strengths.push(custom);
  }
  return { ...base, reason: custom ? 'requested_by_app' : byPolicy && strengths.length ? 'conditional_access' : base.reason, strengths, custom };
}

/** The transaction's verified methods with the properties the strengths look at. */
export function transactionUses(t: Pick<SigninTransaction, 'methodsUsed' | 'methodDetails'>): MethodUse[] {
  return t.methodsUsed.map((method) => ({ method, ...(t.methodDetails[method] ?? {}) }));
}

export function unmetStrengths(req: Requirement, uses: readonly MethodUse[]): StrengthDefinition[] {
  return req.strengths.filter((s) => !strengthSatisfied(s, uses));
}

/**
 * The next step when the requirement is not met yet, strongest method first:
 * a registered method that helps every unmet strength; otherwise registration
 * of an authenticator app when every unmet strength accepts one, else of a
 * security key or passkey — but only for a user with no second factor at all or
 * once MFA is proven in this sign-in, so a password alone never adds a factor
 * to an account that has one; otherwise another registered factor first.
 * Null: nothing this user can do here reaches it.
 */
export function nextStep(
  req: Requirement,
  uses: readonly MethodUse[],
  facts: Pick<UserFacts, 'secondFactors'>,
  verifiable: readonly string[],
): string | null {
  const unmet = unmetStrengths(req, uses);
  const used = new Set(uses.map((u) => u.method));
  const open = verifiable.filter((m) => facts.secondFactors.includes(m) && !used.has(m));
  const helpful = open.filter((m) => unmet.every((s) => methodsMentioned(s).has(m)));
  if (helpful[0]) return helpful[0];
  // An authenticator app is enough when every unmet strength accepts one; otherwise it takes a key or passkey.
  const totpEnough = unmet.every((s) => methodsMentioned(s).has('totp'));
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

/** What a finished sign-in records: amr, the acr tokens carry, and the strength behind it. */
export function reached(uses: readonly MethodUse[], req: Pick<Requirement, 'custom'> | null): { amr: string[]; acr: string; strength: string | null } {
  const r = reachedStrength(uses, req?.custom ?? null);
  return { amr: amrForUses(uses), acr: r.acr, strength: r.strength };
}

/** The custom strength an acr names (as an app's acr_values may), or null. */
export async function requestedCustomStrength(ctx: Pick<AppContext, 'store'>, acr: string | null | undefined): Promise<StrengthDefinition | null> {
  if (!acr?.startsWith(CUSTOM_ACR_PREFIX)) return null;
  return strengthForAcr(acr, await listCustomStrengths(ctx.store.db)) ?? null;
}

/** Whether a live session's methods reach what an app asks for now (for reusing it without a sign-in). */
export function sessionMeets(req: Requirement, sessionUses: readonly MethodUse[]): boolean {
  return unmetStrengths(req, sessionUses).length === 0;
}
