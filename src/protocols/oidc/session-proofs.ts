import type { Db, Tx } from '../../store/store.ts';
import type { MethodUse } from '../../policy/strengths.ts';
import { REFRESH_TOKEN_MAX_LIFETIME } from './ttl.ts';

/**
 * What the sign-in behind an oidc-provider session proved. Written when a
 * finished sign-in is handed to oidc-provider (and again after a step-up),
 * read when a refresh token of that session is used: the refresh then asks
 * the access decision with the methods, authentication time and device of the
 * sign-in it came from, as reuse of the session would.
 */
export interface SessionProof {
  userId: string;
  methodUses: MethodUse[];
  authTime: Date;
  deviceId: string | null;
}

export async function recordSessionProof(db: Db | Tx, sessionUid: string, proof: SessionProof, now = new Date()): Promise<void> {
  const row = {
    user_id: proof.userId,
    method_uses: JSON.stringify(proof.methodUses),
    auth_time: proof.authTime.toISOString(),
    device_id: proof.deviceId,
    updated_at: now.toISOString(),
    // Refresh tokens of the session live at most this long.
    expires_at: new Date(now.getTime() + REFRESH_TOKEN_MAX_LIFETIME * 1000).toISOString(),
  };
  await db
    .insertInto('oidc_session_proofs')
    .values({ session_uid: sessionUid, ...row })
    .onConflict((oc) => oc.column('session_uid').doUpdateSet(row))
    .execute();
}

export async function findSessionProof(db: Db | Tx, sessionUid: string | undefined): Promise<SessionProof | null> {
  if (!sessionUid) return null;
  const row = await db.selectFrom('oidc_session_proofs').selectAll().where('session_uid', '=', sessionUid).executeTakeFirst();
  if (!row) return null;
  return { userId: row.user_id, methodUses: JSON.parse(row.method_uses) as MethodUse[], authTime: new Date(row.auth_time), deviceId: row.device_id };
}

export async function deleteExpiredSessionProofs(db: Db, now = new Date()): Promise<number> {
  const r = await db.deleteFrom('oidc_session_proofs').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
