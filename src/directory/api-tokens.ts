import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { auditedChange } from '../audit/append.ts';
import { issueToken, parseToken, secretMatches } from '../app/opaque-token.ts';
import type { ApiTokensTable } from './tables.ts';
import { isRole, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './roles.ts';
import { ConflictError, NotFoundError, RefusedError, type ChangedBy } from './errors.ts';

/**
 * Admin API tokens: "tsk_<id>_<secret>", shown once at creation and stored as
 * the SHA-256 of the secret. A token carries one role and so that role's
 * permissions; it is revoked, never edited.
 */
export const API_TOKEN_PREFIX = 'tsk';
/** last_used_at is written at most this often per token, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiToken {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface IssuedApiToken extends ApiToken {
  /** The bearer secret; shown once, never stored. */
  token: string;
}

export const newApiTokenSchema = z.strictObject({
  role: z.enum(ROLES),
  name: z.string().trim().min(1, 'must not be empty').max(64).optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type NewApiToken = z.input<typeof newApiTokenSchema>;

function toApiToken(row: ApiTokensTable): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/**
 * Issues a token. `grantable`, when given, is what the creator may hand on:
 * a token is refused a role with permissions its creator does not hold.
 */
export async function createApiToken(
  store: Store,
  input: NewApiToken,
  by: ChangedBy,
  grantable?: readonly Permission[],
): Promise<IssuedApiToken> {
  const data = newApiTokenSchema.parse(input);
  if (grantable) {
    const missing = ROLE_PERMISSIONS[data.role].filter((p) => !grantable.includes(p));
    if (missing.length) throw new RefusedError(`cannot create a ${data.role} token: it would hold ${missing.join(', ')}, which you do not`);
  }
  const issued = issueToken(API_TOKEN_PREFIX);
  const now = new Date();
  const row: ApiTokensTable = {
    id: issued.id,
    name: data.name ?? `${data.role} token`,
    role: data.role,
    secret_hash: issued.secretHash,
    created_at: now.toISOString(),
    created_by: by.actor,
    expires_at: data.expiresInDays ? new Date(now.getTime() + data.expiresInDays * 86_400_000).toISOString() : null,
    revoked_at: null,
    last_used_at: null,
  };
  return auditedChange(store, async (trx, record) => {
    await trx.insertInto('api_tokens').values(row).execute();
    const token = toApiToken(row);
    await record({ actor: by.actor, action: 'token.create', target: `token:${row.id}`, requestId: by.requestId, after: token });
    return { ...token, token: issued.token };
  });
}

export async function listApiTokens(db: Db | Tx, options: { includeRevoked?: boolean } = {}): Promise<ApiToken[]> {
  let q = db.selectFrom('api_tokens').selectAll();
  if (!options.includeRevoked) q = q.where('revoked_at', 'is', null);
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  return rows.map(toApiToken);
}

export async function getApiToken(db: Db | Tx, id: string): Promise<ApiToken> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no API token ${id}`);
  return toApiToken(row);
}

export async function revokeApiToken(store: Store, id: string, by: ChangedBy): Promise<ApiToken> {
  return auditedChange(store, async (trx, record) => {
    const before = await getApiToken(trx, id);
    if (before.revokedAt) throw new ConflictError(`API token ${id} is already revoked`);
    const revokedAt = new Date().toISOString();
    await trx.updateTable('api_tokens').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
    const after = { ...before, revokedAt };
    await record({ actor: by.actor, action: 'token.revoke', target: `token:${id}`, requestId: by.requestId, before, after });
    return after;
  });
}

export interface TokenIdentity {
  id: string;
  name: string;
  role: Role;
  permissions: Permission[];
}

/**
 * Checks a presented bearer token: well-formed, known, secret matches (in
 * constant time), not revoked, not expired. Returns null for any failure, so
 * a caller cannot tell an unknown id from a wrong secret.
 */
export async function authenticateApiToken(store: Store, presented: string, now = new Date()): Promise<TokenIdentity | null> {
  const parsed = parseToken(API_TOKEN_PREFIX, presented);
  if (!parsed) return null;
  const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst();
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  if (row.revoked_at || (row.expires_at && row.expires_at <= now.toISOString()) || !isRole(row.role)) return null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
    await store.db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return { id: row.id, name: row.name, role: row.role, permissions: [...ROLE_PERMISSIONS[row.role]] };
}

