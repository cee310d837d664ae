import { METHODS, isMethodType, type Factor } from '../methods/method.ts';
import type { StrengthCatalog } from './strength-port.ts';

/**
 * Authentication strengths: a named set of allowed method combinations, as
 * conditional access and apps (acr_values) ask for them. Pure: given the
 * methods a sign-in used and their properties, which strengths are satisfied.
 *
 * A combination is a list of atoms joined by "+" ("password+webauthn"). The
 * atoms are method types, plus three that look at a WebAuthn assertion:
 *   webauthn               any WebAuthn assertion (security key or passkey, user present)
 *   passkey                a WebAuthn assertion with user verification (PIN or biometric):
 *                          possession plus something known or inherent, MFA on its own
 *   webauthn_device_bound  a WebAuthn assertion from a credential that cannot be backed up
 *                          (a hardware security key, a device-bound passkey)
 * A sign-in satisfies a combination when each atom is matched by a different
 * method it used; methods beyond the combination do not hurt.
 */

/** One verified method of a sign-in, with what the strengths look at. */
export interface MethodUse {
  method: string;
  /** WebAuthn: the authenticator verified the user (UV flag). */
  userVerified?: boolean;
  /** WebAuthn: the credential may be synced to other devices (BE flag): a synced passkey. */
  backupEligible?: boolean;
  /** WebAuthn: the credential is backed up now (BS flag). */
  backedUp?: boolean;
  /** WebAuthn: the authenticator model, as registered. */
  aaguid?: string | null;
  /** When it was proven (ISO time), as the engine records every factor. */
  at?: string;
}

export const WEBAUTHN_ATOMS = ['webauthn', 'passkey', 'webauthn_device_bound'] as const;
export const STRENGTH_ATOMS = ['password', 'totp', 'backup_code', 'tap', 'push', 'sms', 'voice', ...WEBAUTHN_ATOMS] as const;
export type StrengthAtom = (typeof STRENGTH_ATOMS)[number];

export const BUILTIN_IDS = ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa'] as const;
export type BuiltinStrengthId = (typeof BUILTIN_IDS)[number];

/** acr values: the engine's ladder (src/signin/acr.ts) and one per custom strength. */
export const ACR_PREFIX = 'urn:tessera:acr:';
export const PASSWORD_ACR = `${ACR_PREFIX}pwd`;
export const CUSTOM_ACR_PREFIX = `${ACR_PREFIX}custom:`;

export interface StrengthDefinition {
  /** Built-ins: mfa, passwordless_mfa, phishing_resistant_mfa; a custom strength's id is its name. */
  id: string;
  displayName: string;
  description: string;
  /** The acr a token carries when this is the strength reached. */
  acr: string;
  builtin: boolean;
  /** Any one of these satisfies the strength. */
  combinations: readonly (readonly StrengthAtom[])[];
  /** When set, a WebAuthn atom matches only a credential of one of these authenticator models. */
  allowedAaguids?: readonly string[];
}

const combos = (...texts: string[]) => texts.map(parseCombination);

/**
 * The built-ins form a ladder, as the acr values do: every combination of a
 * stronger one also satisfies each weaker one (see satisfiedStrengths).
 * Phishing-resistant MFA is a WebAuthn credential, bound to our origin, either
 * user-verified on its own or after the password; passwordless MFA is a
 * user-verified passkey; MFA is two kinds of factor, or a Temporary Access Pass
 * (issued only after the helpdesk verified the person).
 */
export const BUILTIN_STRENGTHS: readonly StrengthDefinition[] = Object.freeze([
  {
    id: 'mfa',
    displayName: 'Multifactor authentication',
    description: 'Two kinds of factor: a password and a second factor, a passkey, or a Temporary Access Pass.',
    acr: `${ACR_PREFIX}mfa`,
    builtin: true,
    combinations: combos('password+totp', 'password+backup_code', 'password+push', 'password+sms', 'password+voice', 'password+webauthn', 'passkey', 'tap'),
  },
  {
    id: 'passwordless_mfa',
    displayName: 'Passwordless MFA',
    description: 'A passkey or security key with user verification (PIN or biometric), no password.',
    acr: `${ACR_PREFIX}passwordless-mfa`,
    builtin: true,
    combinations: combos('passkey'),
  },
  {
    id: 'phishing_resistant_mfa',
    displayName: 'Phishing-resistant MFA',
    description: 'A FIDO2 security key or passkey: user-verified on its own, or after the password.',
    acr: `${ACR_PREFIX}phishing-resistant`,
    builtin: true,
    combinations: combos('passkey', 'password+webauthn'),
  },
]);

/** Weakest first. */
const LADDER: readonly BuiltinStrengthId[] = ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa'];

export class StrengthError extends Error {
  override name = 'StrengthError';
}

export function isStrengthAtom(value: string): value is StrengthAtom {
  return (STRENGTH_ATOMS as readonly string[]).includes(value);
}

/** "password + webauthn" → ['password', 'webauthn']; throws StrengthError with the reason. */
export function parseCombination(text: string): StrengthAtom[] {
  const atoms = text.split('+').map((a) => a.trim().toLowerCase());
  if (atoms.length === 0 || atoms.some((a) => a === '')) throw new StrengthError(`combination "${text}" is empty or has an empty part`);
  if (atoms.length > 4) throw new StrengthError(`combination "${text}" has more than 4 methods`);
  for (const a of atoms) {
    if (!isStrengthAtom(a)) throw new StrengthError(`unknown method "${a}" in "${text}"; use ${STRENGTH_ATOMS.join(', ')}`);
  }
  return atoms as StrengthAtom[];
}

export function formatCombination(combination: readonly StrengthAtom[]): string {
  return combination.join('+');
}

/** Bare method names become uses without WebAuthn properties (read as user presence only). */
export function toUses(methods: readonly (string | MethodUse)[]): MethodUse[] {
  return methods.map((m) => (typeof m === 'string' ? { method: m } : m));
}

function normalAaguid(value: string | null | undefined): string {
  return (value ?? '').toLowerCase();
}

export function atomMatches(atom: StrengthAtom, use: MethodUse, allowedAaguids?: readonly string[]): boolean {
  if (!(WEBAUTHN_ATOMS as readonly string[]).includes(atom)) return use.method === atom;
  if (use.method !== 'webauthn') return false;
  if (allowedAaguids?.length && !allowedAaguids.map(normalAaguid).includes(normalAaguid(use.aaguid))) return false;
  if (atom === 'passkey') return use.userVerified === true;
  if (atom === 'webauthn_device_bound') return use.backupEligible === false && use.backedUp !== true;
  return true;
}

/** Each atom matched by a different use (a small bipartite matching: combinations have at most 4 atoms). */
export function combinationSatisfied(combination: readonly StrengthAtom[], uses: readonly MethodUse[], allowedAaguids?: readonly string[]): boolean {
  const taken = new Array<boolean>(uses.length).fill(false);
  const assign = (i: number): boolean => {
    if (i === combination.length) return true;
    for (let u = 0; u < uses.length; u++) {
      if (taken[u] || !atomMatches(combination[i]!, uses[u]!, allowedAaguids)) continue;
      taken[u] = true;
      if (assign(i + 1)) return true;
      taken[u] = false;
    }
    return false;
  };
  return assign(0);
}

export function strengthSatisfied(strength: StrengthDefinition, uses: readonly MethodUse[]): boolean {
  return strength.combinations.some((c) => combinationSatisfied(c, uses, strength.allowedAaguids));
}

/**
 * The ids of every strength these uses satisfy: the built-ins (closed down the
 * ladder) and the given custom ones.
 */
export function satisfiedStrengths(uses: readonly MethodUse[], custom: readonly StrengthDefinition[] = []): string[] {
  const out: string[] = [];
  let reached = -1;
  LADDER.forEach((id, rank) => {
    if (strengthSatisfied(builtinStrength(id), uses)) reached = rank;
  });
  out.push(...LADDER.slice(0, reached + 1));
  for (const s of custom) if (!s.builtin && strengthSatisfied(s, uses)) out.push(s.id);
  return out;
}

export function builtinStrength(id: BuiltinStrengthId): StrengthDefinition {
  return BUILTIN_STRENGTHS.find((s) => s.id === id)!;
}

/** The strongest built-in these uses reach, or null when not even MFA. */
export function strongestBuiltin(uses: readonly MethodUse[]): StrengthDefinition | null {
  const ids = satisfiedStrengths(uses);
  const top = LADDER.filter((id) => ids.includes(id)).at(-1);
  return top ? builtinStrength(top) : null;
}

/**
 * What a finished sign-in records and its tokens carry: the custom strength the
 * app asked for when it is satisfied (an app that asked for it expects its acr
 * back), otherwise the strongest built-in reached, or the password acr.
 */
export function reachedStrength(
  uses: readonly MethodUse[],
  requested: StrengthDefinition | null = null,
): { strength: string | null; acr: string } {
  if (requested && !requested.builtin && strengthSatisfied(requested, uses)) return { strength: requested.id, acr: requested.acr };
  const top = strongestBuiltin(uses);
  return top ? { strength: top.id, acr: top.acr } : { strength: null, acr: PASSWORD_ACR };
}

export function customAcr(name: string): string {
  return `${CUSTOM_ACR_PREFIX}${name}`;
}

/** The strength an acr value names, among the built-ins and the given custom ones. */
export function strengthForAcr(acr: string, custom: readonly StrengthDefinition[] = []): StrengthDefinition | undefined {
  return BUILTIN_STRENGTHS.find((s) => s.acr === acr) ?? custom.find((s) => s.acr === acr);
}

export function strengthById(id: string, custom: readonly StrengthDefinition[] = []): StrengthDefinition | undefined {
  return BUILTIN_STRENGTHS.find((s) => s.id === id) ?? custom.find((s) => s.id === id);
}

/** The method types a strength's combinations mention (WebAuthn atoms as 'webauthn'). */
export function methodsMentioned(strength: StrengthDefinition): Set<string> {
  const out = new Set<string>();
  for (const c of strength.combinations) for (const a of c) out.add((WEBAUTHN_ATOMS as readonly string[]).includes(a) ? 'webauthn' : a);
  return out;
}

export const CUSTOM_NAME = /^[a-z][a-z0-9_-]{1,47}$/;
export const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CustomStrengthInput {
  name: string;
  description?: string;
  combinations: readonly string[];
  allowedAaguids?: readonly string[];
}

/** Validates a custom strength; throws StrengthError with the reason. */
export function customStrength(input: CustomStrengthInput): StrengthDefinition {
  const name = input.name.trim().toLowerCase();
  if (!CUSTOM_NAME.test(name)) {
    throw new StrengthError('name must be 2-48 characters: lowercase letters, digits, "-" or "_", starting with a letter');
  }
  if (BUILTIN_STRENGTHS.some((s) => s.id === name)) throw new StrengthError(`${name} is a built-in strength`);
  if (input.combinations.length === 0) throw new StrengthError('a strength needs at least one combination');
  if (input.combinations.length > 32) throw new StrengthError('a strength has at most 32 combinations');
  const combinations: StrengthAtom[][] = [];
  for (const text of input.combinations) {
    const c = parseCombination(text);
    if (!combinations.some((o) => formatCombination(o) === formatCombination(c))) combinations.push(c);
  }
  const aaguids = [...new Set((input.allowedAaguids ?? []).map((a) => a.trim().toLowerCase()))];
  for (const a of aaguids) if (!AAGUID.test(a)) throw new StrengthError(`"${a}" is not an AAGUID (8-4-4-4-12 hex digits)`);
  if (aaguids.length && !combinations.some((c) => c.some((a) => (WEBAUTHN_ATOMS as readonly string[]).includes(a)))) {
    throw new StrengthError('allowed AAGUIDs need a combination with webauthn, passkey or webauthn_device_bound');
  }
  const description = (input.description ?? '').trim();
  if (description.length > 256) throw new StrengthError('description must be at most 256 characters');
  return {
    id: name,
    displayName: name,
    description,
    acr: customAcr(name),
    builtin: false,
    combinations,
    ...(aaguids.length ? { allowedAaguids: aaguids } : {}),
  };
}

/** A single factor kind twice is not MFA: warns when a combination is weaker than it may look. */
export function combinationWarnings(strength: StrengthDefinition): string[] {
  const out: string[] = [];
  for (const c of strength.combinations) {
    const factors = new Set<Factor>();
    let uv = false;
    for (const a of c) {
      if (a === 'passkey') uv = true;
      const type = (WEBAUTHN_ATOMS as readonly string[]).includes(a) ? 'webauthn' : a;
      if (isMethodType(type)) factors.add(METHODS[type].factor);
    }
    if (factors.size < 2 && !uv && !c.includes('tap')) out.push(`${formatCombination(c)} is a single kind of factor, not MFA`);
  }
  return out;
}

/**
 * The catalogue conditional access evaluates against (src/policy/strength-port.ts):
 * the built-ins plus the organisation's custom strengths. Methods may be given
 * as bare names or as uses with their WebAuthn properties.
 */
export function strengthCatalog(custom: readonly StrengthDefinition[] = []): StrengthCatalog & {
  satisfiedBy(methods: readonly (string | MethodUse)[]): ReadonlySet<string>;
} {
  return {
    has: (id) => strengthById(id, custom) !== undefined,
    satisfiedBy: (methods) => new Set(satisfiedStrengths(toUses(methods), custom)),
  };
}
