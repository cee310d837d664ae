import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { auditedChange } from '../audit/append.ts';
import { issueToken, parseToken, secretMatches } from '../app/opaque-token.ts';
import type { ApiTokensTable } from './tables.ts';
import { isRole, permissionsOf, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './roles.ts';
import { ConflictError, InvalidInputError, NotFoundError, RefusedError, type ChangedBy } from './errors.ts';
import { resolveUser, rolesOf, type User } from './users.ts';

/**
 * Admin API tokens: "tsk_<id>_<secret>", shown once at creation and stored as
 * the SHA-256 of the secret. A token carries one role and so that role's
 * permissions; it is revoked, never edited. Each is accountable: it has an
 * owner (a person who answers for it), it expires, and its last use is kept
 * with the address it came from.
 */
export const API_TOKEN_PREFIX = 'tsk';
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;
const DAY_MS = 86_400_000;
/** last_used_at is written at most this often per token (or when the address changes), so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const API_TOKEN_STATES = ['active', 'expired', 'revoked', 'owner_inactive'] as const;
export type ApiTokenState = (typeof API_TOKEN_STATES)[number];

export interface ApiTokenOwner {
  id: string;
  /** Null when the account has since been deleted. */
  username: string | null;
  active: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  role: string;
  /** Null for tokens created before tokens had owners. */
  owner: ApiTokenOwner | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
  /** Whether it works now: revoked, expired, or its owner is disabled, offboarded or deleted. */
  state: ApiTokenState;
}

export interface IssuedApiToken extends ApiToken {
  /** The bearer secret; shown once, never stored. */
  token: string;
}

export const newApiTokenSchema = z
  .strictObject({
    role: z.enum(ROLES),
    name: z.string().trim().min(1, 'must not be empty').max(64).optional(),
    owner: z.string().trim().min(1, 'must not be empty').max(200).optional()
      .describe('The person who answers for the token (username or id): over the API, the person asking or the owner of the token asking, and named only by a token from before owners. The token may not hold more than its owner does.'),
    expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS, `a token lives at most ${TOKEN_MAX_DAYS} days`).optional()
      .describe(`Days until the token stops working (default ${TOKEN_DEFAULT_DAYS}, at most ${TOKEN_MAX_DAYS})`),
    expiresAt: z.iso.datetime({ offset: true }).optional()
      .describe(`When the token stops working (ISO 8601), at most ${TOKEN_MAX_DAYS} days ahead`),
  })
  .refine((v) => v.expiresInDays === undefined || v.expiresAt === undefined, { message: 'give expiresInDays or expiresAt, not both', path: ['expiresAt'] });
export type NewApiToken = z.input<typeof newApiTokenSchema>;

type TokenRow = ApiTokensTable & { owner_username: string | null; owner_status: string | null };

/** `ownerRoles`: the roles the owner holds now (ignored for a token without an owner). */
function stateOf(row: TokenRow, now: Date, ownerRoles: readonly string[]): ApiTokenState {
  if (row.revoked_at) return 'revoked';
  if (row.expires_at && row.expires_at <= now.toISOString()) return 'expired';
  if (!row.owner_user_id) return 'active';
  // An owner who is disabled, offboarded, deleted or no longer holds the role cannot answer for the token.
  if (row.owner_status !== 'active' || !isRole(row.role)) return 'owner_inactive';
  const held = permissionsOf(ownerRoles);
  return ROLE_PERMISSIONS[row.role].every((p) => held.has(p)) ? 'active' : 'owner_inactive';
}

function toApiToken(row: TokenRow, now: Date, ownerRoles: readonly string[]): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    owner: row.owner_user_id ? { id: row.owner_user_id, username: row.owner_username, active: row.owner_status === 'active' } : null,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedAddress: row.last_used_ip,
    state: stateOf(row, now, ownerRoles),
  };
}

/** The owner as people read it in lists: the username, or why there is none. */
export function ownerLabel(owner: ApiTokenOwner | null): string {
  if (!owner) return 'no owner (created before owners)';
  if (owner.username === null) return 'a deleted account';
  return owner.active ? owner.username : `${owner.username} (disabled)`;
}

function tokenRows(db: Db | Tx) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.owner_user_id')
    .selectAll('api_tokens')
    .select(['users.username as owner_username', 'users.status as owner_status']);
}

/** The person a "user:<id>" actor names; other actors (tokens, the CLI, the system) are not people. */
function personOf(actor: string): string | undefined {
  return /^user:(.+)$/.exec(actor)?.[1];
}

/** Refused unless the token's role holds nothing its holder lacks. */
function refuseBeyond(role: Role, held: Iterable<Permission>, whose: string): void {
  const have = new Set(held);
  const missing = ROLE_PERMISSIONS[role].filter((p) => !have.has(p));
  if (missing.length) throw new RefusedError(`cannot create a ${role} token: it would hold ${missing.join(', ')}, which ${whose} not`);
}

async function resolveOwner(trx: Tx, ref: string, role: Role): Promise<User> {
  const owner = await resolveUser(trx, ref).catch((err: unknown) => {
    throw err instanceof NotFoundError ? new InvalidInputError(`owner: there is no account ${ref}`) : err;
  });
  if (owner.kind !== 'person') throw new RefusedError(`an API token's owner must be a person; ${owner.username} is a ${owner.kind.replace('_', '-')} account`);
  if (owner.status !== 'active') throw new RefusedError(`${owner.username} is disabled and cannot own an API token`);
  refuseBeyond(role, permissionsOf(await rolesOf(trx, owner.id)), `${owner.username} does`);
  return owner;
}

function expiryOf(data: { expiresInDays?: number; expiresAt?: string }, now: Date): string {
  const latest = now.getTime() + TOKEN_MAX_DAYS * DAY_MS;
  if (data.expiresAt === undefined) return new Date(now.getTime() + (data.expiresInDays ?? TOKEN_DEFAULT_DAYS) * DAY_MS).toISOString();
  const at = Date.parse(data.expiresAt);
  if (at <= now.getTime()) throw new InvalidInputError('the expiry must be in the future');
  if (at > latest) throw new InvalidInputError(`a token lives at most ${TOKEN_MAX_DAYS} days: choose an expiry no later than ${new Date(latest).toISOString()}`);
  return new Date(at).toISOString();
}

/**
 * Issues a token. Its owner is `input.owner`, else the person making it (a
 * "user:<id>" actor). The command line and the API always name one; only code
 * without a person behind it (tests) gets a token without an owner. The role
 * may hold nothing the owner lacks and, when `grantable` is given, nothing its
 * creator lacks.
 */
export async function createApiToken(
  store: Store,
  input: NewApiToken,
  by: ChangedBy,
  grantable?: readonly Permission[],
): Promise<IssuedApiToken> {
  const data = newApiTokenSchema.parse(input);
  if (grantable) refuseBeyond(data.role, grantable, 'you do');
  const now = new Date();
  const expiresAt = expiryOf(data, now);
  const ownerRef = data.owner ?? personOf(by.actor);
  return auditedChange(store, async (trx, record) => {
    const owner = ownerRef === undefined ? null : await resolveOwner(trx, ownerRef, data.role);
    const issued = issueToken(API_TOKEN_PREFIX);
    const row: ApiTokensTable = {
      id: issued.id,
      name: data.name ?? `${data.role} token`,
      role: data.role,
      secret_hash: issued.secretHash,
      owner_user_id: owner?.id ?? null,
      created_at: now.toISOString(),
      created_by: by.actor,
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
      last_used_ip: null,
    };
    await trx.insertInto('api_tokens').values(row).execute();
    const [token] = await withStates(trx, [{ ...row, owner_username: owner?.username ?? null, owner_status: owner?.status ?? null }], now);
    await record({ actor: by.actor, action: 'token.create', target: `token:${row.id}`, requestId: by.requestId, after: token });
    return { ...token!, token: issued.token };
  });
}

/** The rows as tokens, each with its state, reading the owners' roles in one query. */
async function withStates(db: Db | Tx, rows: TokenRow[], now = new Date()): Promise<ApiToken[]> {
  const owners = [...new Set(rows.flatMap((r) => (r.owner_user_id ? [r.owner_user_id] : [])))];
  const grants = owners.length ? await db.selectFrom('role_assignments').select(['user_id', 'role']).where('user_id', 'in', owners).execute() : [];
  const rolesOfOwner = (id: string | null) => grants.filter((g) => g.user_id === id).map((g) => g.role);
  return rows.map((row) => toApiToken(row, now, rolesOfOwner(row.owner_user_id)));
}

export async function listApiTokens(db: Db | Tx, options: { includeRevoked?: boolean; now?: Date } = {}): Promise<ApiToken[]> {
  let q = tokenRows(db);
  if (!options.includeRevoked) q = q.where('api_tokens.revoked_at', 'is', null);
  return withStates(db, await q.orderBy('api_tokens.created_at').orderBy('api_tokens.id').execute(), options.now);
}

export async function getApiToken(db: Db | Tx, id: string): Promise<ApiToken> {
  const row = await tokenRows(db).where('api_tokens.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no API token ${id}`);
  return (await withStates(db, [row]))[0]!;
}

export async function revokeApiToken(store: Store, id: string, by: ChangedBy): Promise<ApiToken> {
  return auditedChange(store, async (trx, record) => {
    const before = await getApiToken(trx, id);
    if (before.revokedAt) throw new ConflictError(`API token ${id} is already revoked`);
    const revokedAt = new Date().toISOString();
    await trx.updateTable('api_tokens').set({ revoked_at: revokedAt }).where('id', '=', id).execute();
    const after: ApiToken = { ...before, revokedAt, state: 'revoked' };
    await record({ actor: by.actor, action: 'token.revoke', target: `token:${id}`, requestId: by.requestId, before, after });
    return after;
  });
}

export interface TokenIdentity {
  id: string;
  name: string;
  role: Role;
  permissions: Permission[];
  /** The owner's user id; null for a token from before owners. */
  ownerId: string | null;
}

/**
 * Checks a presented bearer token: well-formed, known, secret matches (in
 * constant time), not revoked, not expired, owner still able to answer for
 * it. Returns null for any failure, so a caller cannot tell an unknown id
 * from a wrong secret. `ip` is the address the request came from, kept as
 * the token's last-used address.
 */
export async function authenticateApiToken(
  store: Store,
  presented: string,
  options: { ip?: string | null; now?: Date } = {},
): Promise<TokenIdentity | null> {
  const parsed = parseToken(API_TOKEN_PREFIX, presented);
  if (!parsed) return null;
  const row = await tokenRows(store.db).where('api_tokens.id', '=', parsed.id).executeTakeFirst();
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  const now = options.now ?? new Date();
  const role = row.role;
  if (!isRole(role)) return null;
  const ownerRoles = row.owner_user_id && row.owner_status === 'active' ? await rolesOf(store.db, row.owner_user_id) : [];
  if (stateOf(row, now, ownerRoles) !== 'active') return null;
  const ip = options.ip ?? null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS || (ip && ip !== row.last_used_ip)) {
    await store.db.updateTable('api_tokens').set({ last_used_at: now.toISOString(), last_used_ip: ip ?? row.last_used_ip }).where('id', '=', row.id).execute();
  }
  return { id: row.id, name: row.name, role, permissions: [...ROLE_PERMISSIONS[role]], ownerId: row.owner_user_id };
}
