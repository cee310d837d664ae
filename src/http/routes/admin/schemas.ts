import { z } from 'zod';
import { PERMISSIONS, ROLES } from '../../../directory/roles.ts';
import { USER_KINDS, USER_STATUSES } from '../../../directory/users.ts';
import { DEVICE_STATUSES } from '../../../directory/devices.ts';
import { API_TOKEN_STATES } from '../../../directory/api-tokens.ts';

/**
 * The shapes the admin API answers with. Handlers return the services' own
 * types, which TypeScript checks against these, and each response is parsed
 * through its schema before it is sent; the OpenAPI document is generated from them.
 */
const time = z.iso.datetime({ offset: true });
const id = z.string().min(1);

export const idParams = z.object({ id: id.max(128) });

export const userOut = z.object({
  id,
  username: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  status: z.enum(USER_STATUSES),
  kind: z.enum(USER_KINDS),
  createdAt: time,
  updatedAt: time,
});

export const roleGrantOut = z.object({ userId: id, role: z.enum(ROLES), grantedAt: time, grantedBy: z.string() });

export const factorLockOut = z.object({
  method: z.string(),
  failures: z.number().int().describe('Consecutive failures since the last success'),
  lockedUntil: time.nullable(),
  permanent: z.boolean().describe('Locked until the helpdesk unlocks it (100 consecutive failures)'),
  blocked: z.boolean().describe('Refused right now (delay, lock or permanent lock)'),
});

export const registeredMethodOut = z.object({
  id: z.string().describe('What DELETE /users/{id}/methods/{type}/{methodId} and a case\'s old_device_removed take'),
  type: z.string(),
  kind: z.string().describe('security_key or passkey for WebAuthn; the method type otherwise'),
  name: z.string(),
  model: z.string().nullable().describe('The authenticator model its AAGUID names, when known'),
  aaguid: z.string().nullable(),
  createdAt: time,
  lastUsedAt: time.nullable(),
  deviceId: z.string().nullable(),
  deviceLabel: z.string().nullable(),
  phishingResistant: z.boolean(),
  allowedByPolicy: z.boolean(),
  suspendedAt: time.nullable().describe('Set while a clone signal keeps the key suspended; POST …/clear-suspension restores it'),
});

/** Where a person or group comes from; what a source provides is read-only here. */
export const originOut = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({ kind: z.literal('scim'), name: z.string().describe('The SCIM client (its provisioning token\'s name)') }),
  z.object({ kind: z.literal('ldap'), name: z.string().describe('The directory source'), dn: z.string(), passwordInDirectory: z.boolean() }),
]).describe('local, a SCIM client, or an LDAP / Active Directory source; a source\'s attributes are changed there (409 here)');

export const userDetailOut = userOut.extend({
  roles: z.array(roleGrantOut),
  groups: z.array(z.object({ id, name: z.string() })),
  hasPassword: z.boolean(),
  factorLocks: z.array(factorLockOut).describe('Factors with failed attempts; clear them with POST /users/{id}/unlock'),
  methods: z.array(registeredMethodOut),
  origin: originOut,
});

export const groupOut = z.object({
  id,
  name: z.string(),
  description: z.string().nullable(),
  createdAt: time,
  memberCount: z.number().int(),
  origin: originOut,
});

export const groupDetailOut = groupOut.extend({ members: z.array(userOut) });

export const roleDefinitionOut = z.object({
  name: z.enum(ROLES),
  permissions: z.array(z.enum(PERMISSIONS)),
  privileged: z.boolean(),
});

export const deviceOut = z.object({
  id,
  userId: id,
  label: z.string(),
  platform: z.string().nullable(),
  managed: z.boolean(),
  compliant: z.boolean(),
  status: z.enum(DEVICE_STATUSES),
  lastSeenAt: time.nullable(),
  createdAt: time,
  updatedAt: time,
});

export const apiTokenOut = z.object({
  id,
  name: z.string(),
  role: z.string(),
  owner: z
    .object({ id, username: z.string().nullable().describe('null when the account was deleted'), active: z.boolean() })
    .nullable()
    .describe('The person who answers for the token; null for tokens created before owners'),
  createdAt: time,
  createdBy: z.string(),
  expiresAt: time.nullable(),
  revokedAt: time.nullable(),
  lastUsedAt: time.nullable(),
  lastUsedAddress: z.string().nullable().describe('The client address of the last use'),
  state: z.enum(API_TOKEN_STATES).describe('owner_inactive: the owner is disabled, offboarded or deleted, or no longer holds the role'),
});

export const issuedApiTokenOut = apiTokenOut.extend({
  token: z.string().describe('The bearer token. Shown in this response only; store it now.'),
});

export const auditEntryOut = z.object({
  seq: z.number().int(),
  id,
  at: time,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  requestId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  hash: z.string(),
});

export const auditVerifyOut = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  head: z.string().optional(),
  broken: z.object({ seq: z.number().int(), id, reason: z.string() }).optional(),
});

export const errorOut = z.object({
  error: z.string().describe('A machine-readable code'),
  message: z.string().describe('Why, in words a person can act on'),
});

/** Listings answer { items: [...] }, leaving room for paging fields later. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
