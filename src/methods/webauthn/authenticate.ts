import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { MethodUse } from '../../policy/strengths.ts';
import { MethodError } from '../errors.ts';
import type { VerifyFailureReason, VerifyOptions } from '../method.ts';
import { throttledVerification } from '../throttle/index.ts';
import { claimedChallenge, storeChallenge, takeChallenge } from './challenges.ts';
import { webauthnServer } from './library.ts';
import { credentialRows, findByCredentialId } from './credentials.ts';
import type { WebauthnContext } from './context.ts';
import { relyingParty } from './relying-party.ts';
import { parseAuthenticationResponse, userIdFromHandle } from './response.ts';
import { isSuspended, suspendOnClone } from './suspension.ts';

/**
 * second_factor: after the password, any of the user's credentials, user presence is enough.
 * passwordless: a discoverable credential with user verification; the user is whoever owns it.
 */
export type WebauthnMode = 'second_factor' | 'passwordless';

export interface BeginAuthenticationInput {
  owner: string;
  mode: WebauthnMode;
  /** Known user: only their credentials are allowed. Absent for username-less sign-in. */
  userId?: string | null;
  now?: Date;
}

/** Options for navigator.credentials.get(); the challenge is kept server-side for five minutes under `owner`. */
export async function beginWebauthnAuthentication(ctx: WebauthnContext, input: BeginAuthenticationInput): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = relyingParty(ctx.config);
  const rows = input.userId ? await credentialRows(ctx.store.db, input.userId) : [];
  // A suspended credential is still offered, so that the person is told it is suspended rather than that it is unknown.
  const usable = input.mode === 'passwordless' ? rows.filter((r) => r.discoverable === 1) : rows;
  if (input.userId && usable.length === 0) throw new MethodError('not_found', 'no security key or passkey is registered');
  const { generateAuthenticationOptions } = await webauthnServer();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: usable.map((c) => ({ id: c.credential_id, transports: JSON.parse(c.transports) as string[] })),
    userVerification: input.mode === 'passwordless' ? 'required' : 'discouraged',
    timeout: 120_000,
  });
  await storeChallenge(ctx.store.db, {
    owner: input.owner, purpose: 'authentication', challenge: options.challenge, userId: input.userId ?? null, details: { mode: input.mode },
  }, input.now);
  return options;
}

export type WebauthnVerifyResult =
  | { ok: true; credentialId: string; userId: string; use: MethodUse }
  | {
      ok: false;
      /** 'suspended': a clone signal suspended this credential until the helpdesk clears it. */
      reason: VerifyFailureReason | 'suspended';
      /** Whose credential was presented, when known (for the sign-in log). */
      userId: string | null;
      /** The signature was good but the counter went backwards: a copy of the authenticator may exist. */
      cloneDetected?: boolean;
      retryAfterMs?: number | null;
      throttle?: 'delay' | 'locked' | 'ip_limited';
      justLocked?: boolean;
    };

export interface VerifyWebauthnInput extends VerifyOptions {
  owner: string;
  mode: WebauthnMode;
  response: unknown;
  /** When the user is already known (second factor, step-up): the credential must be theirs. */
  userId?: string | null;
  requestId?: string | null;
}

/**
 * Checks an assertion. The challenge is taken first (single use, so a replayed
 * assertion finds none), then the signature, origin and RP id; then the
 * signature counter: when the authenticator keeps one and it did not go up, the
 * assertion is refused as a possible clone, the credential suspended (suspension.ts)
 * and the stored counter left as it was; a suspended credential is refused. Every try goes through the throttle
 * of the credential's owner (or the given user) and the client address.
 */
export async function verifyWebauthn(ctx: WebauthnContext, input: VerifyWebauthnInput): Promise<WebauthnVerifyResult> {
  const db = ctx.store.db;
  const now = input.now ?? new Date();
  const response = parseAuthenticationResponse(input.response);
  const cred = response ? await findByCredentialId(db, response.id) : undefined;
  const throttleUser = input.userId ?? cred?.user_id ?? undefined;
  // Set inside the throttled check; declared with a cast so the compiler does not narrow them to their first values.
  let success = null as Extract<WebauthnVerifyResult, { ok: true }> | null;
  let clone = false as boolean;
  let presented = 0;
  let suspended = false as boolean;
  const result = await throttledVerification(ctx.store, { userId: throttleUser, method: 'webauthn', ip: input.ip, now }, async () => {
    if (!response) return { ok: false, reason: 'invalid' };
    const stored = await takeChallenge(db, { owner: input.owner, purpose: 'authentication', challenge: claimedChallenge(response.response.clientDataJSON) }, now);
    if (!stored || stored.details.mode !== input.mode) return { ok: false, reason: 'invalid' };
    if (!cred) return { ok: false, reason: input.userId ? 'invalid' : 'not_registered' };
    if (input.userId && cred.user_id !== input.userId) return { ok: false, reason: 'invalid' };
    if (stored.userId && cred.user_id !== stored.userId) return { ok: false, reason: 'invalid' };
    // Without an allow-list the authenticator names the user: it must name this credential's owner.
    if (input.mode === 'passwordless' && userIdFromHandle(response.response.userHandle) !== cred.user_id) return { ok: false, reason: 'invalid' };
    const rp = relyingParty(ctx.config);
    const { verifyAuthenticationResponse } = await webauthnServer();
    let info;
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: stored.challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        // Counter 0 here: the library only checks the signature; the clone rule below is ours.
        credential: { id: cred.credential_id, publicKey: new Uint8Array(Buffer.from(cred.public_key, 'base64url')), counter: 0 },
        requireUserVerification: input.mode === 'passwordless',
      });
      if (!verified.verified) return { ok: false, reason: 'invalid' };
      info = verified.authenticationInfo;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    // Suspended after a clone signal: refused until the helpdesk clears it; only whoever holds the key learns why.
    if (isSuspended(cred)) {
      suspended = true;
      return { ok: false, reason: 'invalid' };
    }
    const before = Number(cred.sign_count);
    if ((info.newCounter > 0 || before > 0) && info.newCounter <= before) {
      clone = true;
      presented = info.newCounter;
      return { ok: false, reason: 'invalid' };
    }
    // Conditional on the counter read above: of two uses racing, one wins.
    const updated = await db
      .updateTable('webauthn_credentials')
      .set({ sign_count: info.newCounter, backed_up: info.credentialBackedUp ? 1 : 0, last_used_at: now.toISOString() })
      .where('id', '=', cred.id)
      .where('sign_count', '=', cred.sign_count)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return { ok: false, reason: 'replayed' };
    success = {
      ok: true,
      credentialId: cred.id,
      userId: cred.user_id,
      use: {
        method: 'webauthn',
        userVerified: info.userVerified,
        backupEligible: cred.backup_eligible === 1,
        backedUp: info.credentialBackedUp,
        aaguid: cred.aaguid,
      },
    };
    return { ok: true, credentialId: cred.id };
  });
  if (result.ok && success) return success;
  if (clone && cred) {
    await suspendOnClone(ctx.store, {
      userId: cred.user_id, credentialId: cred.id, name: cred.name, aaguid: cred.aaguid, storedSignCount: Number(cred.sign_count),
      presentedSignCount: presented, ip: input.ip ?? null, at: now,
    }, input.requestId);
  }
  if (suspended && cred) return { ok: false, reason: 'suspended', userId: cred.user_id };
  const failure = result.ok ? { ok: false as const, reason: 'invalid' as const } : result;
  return { ...failure, userId: cred?.user_id ?? input.userId ?? null, ...(clone ? { cloneDetected: true } : {}) };
}
