import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AdapterPayload } from 'oidc-provider';
import { auditedChange } from '../../audit/append.ts';
import { secretMatches, sha256 } from '../../app/opaque-token.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import { clientRow, forgetClientRow } from './client-rows.ts';
import type { ClientAuthMethod, OidcClientsTable } from './tables.ts';
import { APP_CATEGORIES, type AppCategory } from '../../monitor/posture/categories.ts';

/**
 * Relying parties (apps) registered with Tessera. They live in our own table,
 * are managed only by administrators (CLI or admin API; dynamic registration is
 * off) and are handed to oidc-provider through the storage adapter.
 *
 * The client secret is stored as a SHA-256 hash. oidc-provider compares secrets
 * through Client.prototype.compareClientSecret, the extension point its
 * maintainer recommends for one-way hashed secrets; provider.ts replaces it with
 * clientSecretMatches below. A hashed secret cannot key HMAC, so everything that
 * would need the plaintext (client_secret_jwt, HS256 ID tokens, symmetric
 * encryption) is switched off in the provider configuration.
 */
export const SECRET_PREFIX = 'tcs_';
const HASH_MARK = 'sha256:';

export class ClientError extends Error {
  override name = 'ClientError';
  readonly kind: 'not_found' | 'conflict' | 'invalid';
  constructor(kind: ClientError['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const redirectUri = z.string().superRefine((value, issue) => {
  const url = URL.parse(value);
  if (!url) return void issue.addIssue({ code: 'custom', message: `${value} is not an absolute URI` });
  if (url.hash || value.includes('#')) issue.addIssue({ code: 'custom', message: `${value} must not have a fragment` });
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    issue.addIssue({ code: 'custom', message: `${value}: plain http is allowed for localhost only; use https` });
  }
  if (['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol)) {
    issue.addIssue({ code: 'custom', message: `${value} uses a forbidden scheme` });
  }
});

const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type ClientGrant = (typeof GRANTS)[number];

const jwkSet = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1, 'must hold at least one key') });

export const newClientSchema = z
  .object({
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._~-]{2,63}$/, 'must be 3–64 characters: letters, digits and . _ ~ - (starting with a letter or digit)'),
    name: z.string().trim().min(1).max(128).nullish(),
    redirectUris: z.array(redirectUri).max(20).default([]),
    postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
    /** A public client (browser or native app) has no secret and must use PKCE. */
    public: z.boolean().default(false),
    /** Exact list; default: authorization_code + refresh_token with redirect URIs, else client_credentials. */
    grantTypes: z.array(z.enum(GRANTS)).min(1).optional(),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']).optional(),
    jwks: jwkSet.optional(),
    jwksUri: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
    category: z.enum(APP_CATEGORIES).default('other'),
  })
  .strict();
export type NewClient = z.input<typeof newClientSchema>;

export interface OidcClient {
  clientId: string;
  name: string | null;
  public: boolean;
  tokenEndpointAuthMethod: ClientAuthMethod;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: string[];
  jwksUri: string | null;
  /** Key ids of the registered public keys (private_key_jwt). */
  jwksKeyIds: string[];
  category: AppCategory;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface CreatedClient {
  client: OidcClient;
  /** Shown once; only its hash is stored. Absent for public and private_key_jwt clients. */
  clientSecret?: string;
}

const list = (json: string) => JSON.parse(json) as string[];

export function toClient(row: OidcClientsTable): OidcClient {
  const jwks = row.jwks ? (JSON.parse(row.jwks) as { keys: Array<{ kid?: unknown }> }) : null;
  return {
    clientId: row.client_id,
    name: row.name,
    public: row.token_endpoint_auth_method === 'none',
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    redirectUris: list(row.redirect_uris),
    postLogoutRedirectUris: list(row.post_logout_redirect_uris),
    grantTypes: list(row.grant_types),
    jwksUri: row.jwks_uri,
    jwksKeyIds: jwks ? jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : '(no kid)')) : [],
    category: row.category,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

/** Applies the defaults and the rules that tie the settings together; throws ClientError('invalid'). */
export function resolveNewClient(input: NewClient) {
  const data = newClientSchema.parse(input);
  const invalid = (message: string) => new ClientError('invalid', message);
  const grants = new Set<ClientGrant>(
    data.grantTypes ?? (data.redirectUris.length ? ['authorization_code', 'refresh_token'] : ['client_credentials']),
  );
  if (grants.has('authorization_code') && !data.redirectUris.length) {
    throw invalid('the authorization_code grant needs at least one redirect URI');
  }
  if (!grants.has('authorization_code') && data.redirectUris.length) {
    throw invalid('redirect URIs are only used with the authorization_code grant');
  }
  if (grants.has('refresh_token') && !grants.has('authorization_code')) {
    throw invalid('the refresh_token grant needs the authorization_code grant');
  }
  let method: ClientAuthMethod;
  if (data.public) {
    if (data.authMethod || data.jwks || data.jwksUri) throw invalid('a public client has no client authentication');
    if (grants.has('client_credentials')) throw invalid('a public client cannot use the client_credentials grant');
    method = 'none';
  } else {
    method = data.authMethod ?? (data.jwks || data.jwksUri ? 'private_key_jwt' : 'client_secret_basic');
  }
  if (method === 'private_key_jwt' && !data.jwks === !data.jwksUri) {
    throw invalid('private_key_jwt needs the client public keys: give exactly one of jwks or jwks_uri');
  }
  if (method !== 'private_key_jwt' && (data.jwks || data.jwksUri)) {
    throw invalid('jwks and jwks_uri are only used with private_key_jwt');
  }
  for (const key of data.jwks?.keys ?? []) {
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((p) => p in key)) {
      throw invalid('jwks must hold public keys only (a private or symmetric key was given)');
    }
  }
  return { ...data, grantTypes: [...grants], method };
}

/** The client as oidc-provider's metadata, or undefined when unknown. */
export function toMetadata(row: OidcClientsTable): AdapterPayload {
  const grantTypes = list(row.grant_types);
  const redirectUris = list(row.redirect_uris);
  const native = redirectUris.some((u) => !/^https?:/.test(u));
  return {
    client_id: row.client_id,
    ...(row.name ? { client_name: row.name } : {}),
    application_type: native ? 'native' : 'web',
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    ...(row.secret_hash ? { client_secret: HASH_MARK + row.secret_hash } : {}),
    grant_types: grantTypes,
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: list(row.post_logout_redirect_uris),
    ...(row.jwks ? { jwks: JSON.parse(row.jwks) as unknown } : {}),
    ...(row.jwks_uri ? { jwks_uri: row.jwks_uri } : {}),
  };
}

/** What the storage adapter returns for oidc-provider's Client model. */
export async function clientMetadataById(db: Db | Tx, clientId: string): Promise<AdapterPayload | undefined> {
  const row = await clientRow(db, clientId);
  return row ? toMetadata(row) : undefined;
}

/** Constant-time check of a presented secret against the stored "sha256:<hex>" marker. */
export function clientSecretMatches(presented: string, stored: string | undefined): boolean {
  if (typeof presented !== 'string' || !stored?.startsWith(HASH_MARK)) return false;
  return secretMatches(presented, stored.slice(HASH_MARK.length));
}

export interface ChangedBy {
  actor: string;
  requestId?: string | null;
}

export async function createClient(
  store: Store,
  input: NewClient,
  by: ChangedBy,
  options: { validate?: (metadata: AdapterPayload) => Promise<void> } = {},
): Promise<CreatedClient> {
  const data = resolveNewClient(input);
  const needsSecret = data.method === 'client_secret_basic' || data.method === 'client_secret_post';
  const secret = needsSecret ? SECRET_PREFIX + randomBytes(32).toString('base64url') : undefined;
  const now = new Date().toISOString();
  const row: OidcClientsTable = {
    client_id: data.clientId,
    name: data.name ?? null,
    token_endpoint_auth_method: data.method,
    secret_hash: secret ? sha256(secret) : null,
    redirect_uris: JSON.stringify(data.redirectUris),
    post_logout_redirect_uris: JSON.stringify(data.postLogoutRedirectUris),
    grant_types: JSON.stringify(data.grantTypes),
    jwks: data.jwks ? JSON.stringify(data.jwks) : null,
    jwks_uri: data.jwksUri ?? null,
    category: data.category,
    created_at: now,
    created_by: by.actor,
    updated_at: now,
  };
  // oidc-provider's own metadata rules are the final word on what it will accept.
  await options.validate?.(toMetadata(row));
  const client = toClient(row);
  await auditedChange(store, async (trx, record) => {
    const existing = await trx.selectFrom('oidc_clients').select('client_id').where('client_id', '=', row.client_id).executeTakeFirst();
    if (existing) throw new ClientError('conflict', `client ${row.client_id} already exists`);
    await trx.insertInto('oidc_clients').values(row).execute();
    await record({ actor: by.actor, action: 'client.create', target: `client:${row.client_id}`, requestId: by.requestId, after: client });
  });
  return { client, clientSecret: secret };
}

export async function listClients(db: Db | Tx): Promise<OidcClient[]> {
  const rows = await db.selectFrom('oidc_clients').selectAll().orderBy('client_id').execute();
  return rows.map(toClient);
}

export async function findClient(db: Db | Tx, clientId: string): Promise<OidcClient | undefined> {
  const row = await db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row ? toClient(row) : undefined;
}

/**
 * Deletes a client. Its outstanding tokens stop working: oidc-provider looks
 * the client up on every token, introspection and userinfo request (at once
 * in this process, within a second in the others: src/protocols/oidc/client-rows.ts).
 */
export async function deleteClient(store: Store, clientId: string, by: ChangedBy): Promise<OidcClient> {
  const deleted = await auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    if (!row) throw new ClientError('not_found', `no client ${clientId}`);
    await trx.deleteFrom('oidc_clients').where('client_id', '=', clientId).execute();
    const before = toClient(row);
    await record({ actor: by.actor, action: 'client.delete', target: `client:${clientId}`, requestId: by.requestId, before });
    return before;
  });
  forgetClientRow(store.db, clientId);
  return deleted;
}
