import { auditedChange } from '../../audit/append.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { ChangeOptions, MethodContext } from '../context.ts';
import { credentialLabel } from '../label.ts';
import { authenticatorName } from './aaguids.ts';
import type { WebauthnCredentialsTable, WebauthnKind } from './tables.ts';

/** Enough for several keys and passkeys, few enough to list on one page. */
export const MAX_WEBAUTHN_PER_USER = 20;

/** A registered security key or passkey as people and administrators see it (no key material). */
export interface WebauthnCredential {
  id: string;
  name: string;
  kind: WebauthnKind;
  aaguid: string;
  /** The authenticator model's name when it is a well-known one. */
  authenticator: string | null;
  transports: string[];
  attestationFormat: string;
  discoverable: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  /** 'synced' when the credential may live on several devices (backup eligible), else 'device-bound'. */
  storage: 'synced' | 'device-bound';
  signCount: number;
  createdAt: string;
  lastUsedAt: string | null;
}

export function toCredential(r: WebauthnCredentialsTable): WebauthnCredential {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    aaguid: r.aaguid,
    authenticator: authenticatorName(r.aaguid),
    transports: JSON.parse(r.transports) as string[],
    attestationFormat: r.attestation_format,
    discoverable: r.discoverable === 1,
    userVerified: r.user_verified === 1,
    backupEligible: r.backup_eligible === 1,
    backedUp: r.backed_up === 1,
    storage: r.backup_eligible === 1 ? 'synced' : 'device-bound',
    signCount: Number(r.sign_count),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  };
}

export async function credentialRows(db: Db | Tx, userId: string): Promise<WebauthnCredentialsTable[]> {
  return db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
}

export async function listWebauthn(ctx: Pick<MethodContext, 'store'>, userId: string): Promise<WebauthnCredential[]> {
  return (await credentialRows(ctx.store.db, userId)).map(toCredential);
}

export async function findByCredentialId(db: Db | Tx, credentialId: string): Promise<WebauthnCredentialsTable | undefined> {
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(credentialId)) return undefined;
  return db.selectFrom('webauthn_credentials').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
}

/** Renames one of the user's keys; audited 'method.webauthn.rename'. False when there is no such key. */
export async function renameWebauthn(ctx: Pick<MethodContext, 'store'>, userId: string, id: string, name: string, options: ChangeOptions): Promise<boolean> {
  const label = credentialLabel(name, '');
  if (!label) return false;
  return auditedChange(ctx.store, async (trx, record) => {
    const row = await trx.selectFrom('webauthn_credentials').select(['id', 'name']).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row) return false;
    await trx.updateTable('webauthn_credentials').set({ name: label }).where('id', '=', id).execute();
    await record({
      actor: options.actor, action: 'method.webauthn.rename', target: `user:${userId}`, requestId: options.requestId,
      before: { id, name: row.name }, after: { id, name: label },
    });
    return true;
  });
}

/**
 * Removes one of the user's keys; audited 'method.webauthn.remove'. `guard`
 * runs inside the transaction and may throw to refuse (self-service keeps an
 * admin's last phishing-resistant credential). False when there is no such key.
 */
export async function removeWebauthn(
  ctx: Pick<MethodContext, 'store'>,
  userId: string,
  id: string,
  options: ChangeOptions & { guard?: (trx: Tx, remaining: WebauthnCredentialsTable[]) => Promise<void> },
): Promise<boolean> {
  return auditedChange(ctx.store, async (trx, record) => {
    const rows = await credentialRows(trx, userId);
    const row = rows.find((r) => r.id === id);
    if (!row) return false;
    if (options.guard) await options.guard(trx, rows.filter((r) => r.id !== id));
    await trx.deleteFrom('webauthn_credentials').where('id', '=', id).execute();
    const c = toCredential(row);
    await record({
      actor: options.actor, action: 'method.webauthn.remove', target: `user:${userId}`, requestId: options.requestId,
      before: { id, name: c.name, kind: c.kind, aaguid: c.aaguid, authenticator: c.authenticator, storage: c.storage },
    });
    return true;
  });
}
