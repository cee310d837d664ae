import { randomUUID } from 'node:crypto';
import type { Store, Db, Tx } from '../../store/store.ts';
import { issueToken, parseToken, secretMatches } from '../../app/opaque-token.ts';
import { auditedChange } from '../../audit/append.ts';
import { createDevice } from '../../directory/devices.ts';
import type { ChangeOptions } from '../context.ts';
import { MethodError } from '../errors.ts';
import { parsePublicJwk, verifySignature } from './keys.ts';
import { enrolmentSigningString } from './protocol.ts';
import { getPushSettings } from './settings.ts';
import type { PushCredentialsTable } from './tables.ts';

export const ENROLMENT_TOKEN_PREFIX = 'tpe';

export interface EnrolmentToken {
  token: string;
  expiresAt: string;
}

/**
 * A one-time, short-lived enrolment token for the user. The caller has
 * checked the session may add a method (recent MFA or a Temporary Access Pass).
 */
export async function issuePushEnrolment(store: Store, userId: string, options: ChangeOptions): Promise<EnrolmentToken> {
  const settings = await getPushSettings(store.db);
  const issued = issueToken(ENROLMENT_TOKEN_PREFIX);
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + settings.enrolmentTtlMinutes * 60_000).toISOString();
  await auditedChange(store, async (trx, record) => {
    await trx
      .insertInto('push_enrolments')
      .values({ id: issued.id, token_hash: issued.secretHash, user_id: userId, created_at: now.toISOString(), expires_at: expiresAt, used_at: null })
      .execute();
    await record({ actor: options.actor, action: 'method.push.enrolment_issued', target: `user:${userId}`, requestId: options.requestId, after: { enrolmentId: issued.id, expiresAt } });
  });
  return { token: issued.token, expiresAt };
}

export interface PushCredential {
  id: string;
  userId: string;
  deviceId: string;
  label: string;
  status: 'active' | 'revoked';
  createdAt: string;
  lastUsedAt: string | null;
}

export function toCredential(r: PushCredentialsTable): PushCredential {
  return { id: r.id, userId: r.user_id, deviceId: r.device_id, label: r.label, status: r.status, createdAt: r.created_at, lastUsedAt: r.last_used_at };
}

export interface EnrolInput {
  token: string;
  publicKey: unknown;
  /** Signature by the new key over the enrolment string: proof the device holds it. */
  proof: string;
  label: string;
  platform?: string | null;
}

/**
 * Redeems an enrolment token: stores the device's public key, creates the
 * device record and links the push credential to it. The token works once.
 */
export async function completePushEnrolment(
  store: Store,
  input: EnrolInput,
  now = new Date(),
  /** The methods policy: may this user register push? */
  allowed: (userId: string) => Promise<boolean> = async () => true,
): Promise<PushCredential> {
  const parsed = parseToken(ENROLMENT_TOKEN_PREFIX, input.token);
  if (!parsed) throw new MethodError('invalid_secret', 'that enrolment link is not valid');
  const jwk = parsePublicJwk(input.publicKey);
  if (!jwk) throw new MethodError('invalid_secret', 'publicKey must be an ECDSA P-256 public key (JWK)');
  if (!verifySignature(jwk, enrolmentSigningString(input.token), input.proof)) {
    throw new MethodError('invalid_secret', 'proof is not a signature by that key over the enrolment token');
  }
  const label = input.label.trim().slice(0, 128) || 'Authenticator';
  // Claim the token first, atomically, so two devices racing with one link cannot both enrol.
  const userId = await store.serialized(`push-enrol:${parsed.id}`, async (trx) => {
    const row = await trx.selectFrom('push_enrolments').selectAll().where('id', '=', parsed.id).executeTakeFirst();
    if (!row || row.used_at || !secretMatches(parsed.secret, row.token_hash) || new Date(row.expires_at) <= now) return null;
    await trx.updateTable('push_enrolments').set({ used_at: now.toISOString() }).where('id', '=', row.id).where('used_at', 'is', null).execute();
    return row.user_id;
  });
  if (!userId) throw new MethodError('invalid_secret', 'that enrolment link has expired or was already used: create a new one');
  if (!(await allowed(userId))) throw new MethodError('invalid_settings', 'push sign-in is not enabled for this account by the methods policy');
  const actor = `user:${userId}`;
  const device = await createDevice(store, { userId, label, platform: input.platform ?? 'push authenticator' }, { actor });
  return auditedChange(store, async (trx, record) => {
    const row: PushCredentialsTable = {
      id: randomUUID(),
      user_id: userId,
      device_id: device.id,
      label,
      public_key: JSON.stringify(jwk),
      status: 'active',
      created_at: now.toISOString(),
      last_used_at: null,
    };
    await trx.insertInto('push_credentials').values(row).execute();
    const credential = toCredential(row);
    await record({ actor, action: 'method.push.add', target: actor, after: credential });
    return credential;
  });
}

export async function listPushCredentials(db: Db | Tx, userId: string): Promise<PushCredential[]> {
  const rows = await db.selectFrom('push_credentials').selectAll().where('user_id', '=', userId).where('status', '=', 'active').orderBy('created_at').execute();
  return rows.map(toCredential);
}

/** Removes (revokes) a push authenticator; audited 'method.push.remove'. */
export async function removePushCredential(store: Store, userId: string, id: string, options: ChangeOptions): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('push_credentials').selectAll().where('id', '=', id).where('user_id', '=', userId).where('status', '=', 'active').executeTakeFirst();
    if (!row) throw new MethodError('not_found', 'no such push authenticator');
    await trx.updateTable('push_credentials').set({ status: 'revoked' }).where('id', '=', id).execute();
    await record({ actor: options.actor, action: 'method.push.remove', target: `user:${userId}`, requestId: options.requestId, before: toCredential(row) });
  });
}
