import { randomUUID } from 'node:crypto';
import { methodAllowedFor } from '../policy/check.ts';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { webauthnHelpers, webauthnServer } from './library.ts';
import { auditedChange } from '../../audit/append.ts';
import { findUserById, rolesOf } from '../../directory/users.ts';
import type { MethodUse } from '../../policy/strengths.ts';
import type { ChangeOptions } from '../context.ts';
import { MethodError } from '../errors.ts';
import { credentialLabel } from '../label.ts';
import { throttledVerification } from '../throttle/index.ts';
import { authenticatorName } from './aaguids.ts';
import { claimedChallenge, storeChallenge, takeChallenge } from './challenges.ts';
import { credentialRows, MAX_WEBAUTHN_PER_USER, toCredential, type WebauthnCredential } from './credentials.ts';
import type { WebauthnContext } from './context.ts';
import { relyingParty } from './relying-party.ts';
import { parseRegistrationResponse, userHandleOf } from './response.ts';
import { allowListApplies, getWebauthnSettings } from './settings.ts';
import type { WebauthnKind } from './tables.ts';

/** EdDSA, ES256, RS256 (COSE ids): what authenticators use; stated so no experimental algorithm is offered. */
const ALGORITHMS = [-8, -7, -257];

export interface BeginRegistrationInput {
  userId: string;
  /** The ceremony's owner: "signin:<transaction id>" or "session:<session id>". */
  owner: string;
  /** security_key: a second factor; passkey: discoverable and user-verified, for passwordless sign-in. */
  kind: WebauthnKind;
  now?: Date;
}

/**
 * Options for navigator.credentials.create(). The challenge is kept server-side
 * for five minutes under `owner`. Attestation is asked for only when an
 * allow-list of authenticator models applies to this user.
 */
export async function beginWebauthnRegistration(ctx: WebauthnContext, input: BeginRegistrationInput): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const db = ctx.store.db;
  const user = await findUserById(db, input.userId);
  if (!user) throw new MethodError('user_not_found', 'no such user');
  // A method the methods policy does not allow for this user cannot be registered either.
  const allowed = await methodAllowedFor(ctx.store.db, 'webauthn', input.userId);
  if (!allowed.allowed) throw new MethodError('method_disabled', allowed.reason);
  const existing = await credentialRows(db, input.userId);
  if (existing.length >= MAX_WEBAUTHN_PER_USER) {
    throw new MethodError('too_many', `at most ${MAX_WEBAUTHN_PER_USER} security keys and passkeys per user; remove one first`);
  }
  const settings = await getWebauthnSettings(db);
  const attest = allowListApplies(settings, (await rolesOf(db, input.userId)).length > 0);
  const rp = relyingParty(ctx.config);
  const passkey = input.kind === 'passkey';
  const { generateRegistrationOptions } = await webauthnServer();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: user.displayName ?? user.username,
    userID: userHandleOf(user.id),
    attestationType: attest ? 'direct' : 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: JSON.parse(c.transports) as string[] })),
    authenticatorSelection: passkey
      ? { residentKey: 'required', requireResidentKey: true, userVerification: 'required' }
      : { residentKey: 'discouraged', userVerification: 'discouraged' },
    extensions: { credProps: true },
    supportedAlgorithmIDs: ALGORITHMS,
    timeout: 120_000,
    ...(passkey ? {} : { preferredAuthenticatorType: 'securityKey' as const }),
  });
  await storeChallenge(db, {
    owner: input.owner, purpose: 'registration', challenge: options.challenge, userId: input.userId, details: { kind: input.kind, attest },
  }, input.now);
  return options;
}

export type RegistrationResult =
  | { ok: true; credential: WebauthnCredential; use: MethodUse }
  | { ok: false; reason: 'invalid' | 'expired' | 'not_allowed' | 'duplicate' | 'locked'; message: string; retryAfterMs?: number | null };

const MESSAGES = {
  invalid: 'The security key or passkey could not be registered. Try again.',
  expired: 'That took too long or the page was reloaded. Try again.',
  not_allowed: 'Your organisation does not allow this kind of security key. Use one it has approved.',
  duplicate: 'That security key or passkey is already registered.',
  locked: 'Too many attempts. Wait a while and try again.',
} as const;

function failed(reason: Exclude<RegistrationResult, { ok: true }>['reason']): Exclude<RegistrationResult, { ok: true }> {
  return { ok: false, reason, message: MESSAGES[reason] };
}

/**
 * Checks the browser's answer and stores the new credential (audited
 * 'method.webauthn.add'). The challenge is taken (single use) before anything
 * else; every try counts against the WebAuthn throttle of the user and address.
 * A passkey must have been created with user verification.
 */
export async function finishWebauthnRegistration(
  ctx: WebauthnContext,
  input: { userId: string; owner: string; response: unknown; name?: string } & ChangeOptions,
): Promise<RegistrationResult> {
  const db = ctx.store.db;
  const now = input.now ?? new Date();
  let outcome: RegistrationResult = failed('invalid');
  const result = await throttledVerification(ctx.store, { userId: input.userId, method: 'webauthn', ip: input.ip, now }, async () => {
    const response = parseRegistrationResponse(input.response);
    if (!response) return { ok: false, reason: 'invalid' };
    const stored = await takeChallenge(db, { owner: input.owner, purpose: 'registration', challenge: claimedChallenge(response.response.clientDataJSON) }, now);
    if (!stored || stored.userId !== input.userId) {
      outcome = failed('expired');
      return { ok: false, reason: 'invalid' };
    }
    const kind: WebauthnKind = stored.details.kind === 'passkey' ? 'passkey' : 'security_key';
    const rp = relyingParty(ctx.config);
    const { verifyRegistrationResponse } = await webauthnServer();
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: stored.challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        requireUserVerification: kind === 'passkey',
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!verified.verified) return { ok: false, reason: 'invalid' };
    const info = verified.registrationInfo;
    if (stored.details.attest === true) {
      const settings = await getWebauthnSettings(db);
      // Self-attestation (no certificate) only says what the authenticator claims about itself.
      const { decodeAttestationObject } = await webauthnHelpers();
      const statement = decodeAttestationObject(info.attestationObject).get('attStmt');
      const attested = info.fmt === 'android-safetynet' || (info.fmt !== 'none' && (statement.get('x5c')?.length ?? 0) > 0);
      if (!attested || !settings.aaguids.includes(info.aaguid)) {
        outcome = failed('not_allowed');
        return { ok: false, reason: 'invalid' };
      }
    }
    const credProps = response.clientExtensionResults?.credProps as { rk?: boolean } | undefined;
    const fallbackName = authenticatorName(info.aaguid) ?? (kind === 'passkey' ? 'Passkey' : 'Security key');
    const name = credentialLabel(input.name, fallbackName);
    const id = randomUUID();
    const row = {
      id,
      user_id: input.userId,
      credential_id: info.credential.id,
      public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
      name,
      kind,
      aaguid: info.aaguid,
      transports: JSON.stringify((info.credential.transports ?? []).slice(0, 10)),
      attestation_format: info.fmt,
      discoverable: credProps?.rk === true || kind === 'passkey' ? 1 : 0,
      user_verified: info.userVerified ? 1 : 0,
      backup_eligible: info.credentialDeviceType === 'multiDevice' ? 1 : 0,
      backed_up: info.credentialBackedUp ? 1 : 0,
      sign_count: info.credential.counter,
      created_at: now.toISOString(),
      last_used_at: now.toISOString(),
    };
    const added = await auditedChange(ctx.store, async (trx, record) => {
      if (await trx.selectFrom('webauthn_credentials').select('id').where('credential_id', '=', row.credential_id).executeTakeFirst()) return false;
      await trx.insertInto('webauthn_credentials').values(row).execute();
      const c = toCredential(row);
      await record({
        actor: input.actor, action: 'method.webauthn.add', target: `user:${input.userId}`, requestId: input.requestId,
        after: { id, name, kind, aaguid: c.aaguid, authenticator: c.authenticator, storage: c.storage, transports: c.transports, attestation: c.attestationFormat },
      });
      return true;
    });
    if (!added) {
      outcome = failed('duplicate');
      return { ok: false, reason: 'invalid' };
    }
    const credential = toCredential(row);
    outcome = {
      ok: true,
      credential,
      use: { method: 'webauthn', userVerified: info.userVerified, backupEligible: credential.backupEligible, backedUp: credential.backedUp, aaguid: info.aaguid },
    };
    return { ok: true, credentialId: id };
  });
  if (!result.ok && result.reason === 'locked') return { ...failed('locked'), retryAfterMs: result.retryAfterMs };
  return outcome;
}
