import { sql } from 'kysely';
import type { Db, Store, Tx } from '../store/store.ts';
import type { MethodContext } from '../methods/context.ts';
import { listRegisteredCredentials, type UserCredential } from '../methods/list.ts';
import { allowedByMethodsPolicy } from '../methods/policy/filter.ts';
import { METHODS, type MethodType } from '../methods/method.ts';
import { removeWebauthn } from '../methods/webauthn/index.ts';
import { credentialRows, toCredential } from '../methods/webauthn/credentials.ts';
import { clearSuspension } from '../methods/webauthn/suspension.ts';
import { removeTotp } from '../methods/totp/index.ts';
import { revokeBackupCodes } from '../methods/backup-codes/index.ts';
import { removePushCredential } from '../methods/push/enrol.ts';
import { removePhone } from '../methods/phone/numbers.ts';
import { analyseLockout } from '../policy/lockout.ts';
import { loadPolicySet } from '../policy/store/policies.ts';
import { loadPolicySettings } from '../policy/store/settings.ts';
import { loadActiveStrengths } from '../policy/store/strengths-source.ts';
import { lockoutSubjects } from '../policy/store/subjects.ts';
import { ConflictError, InvalidInputError, NotFoundError, type ChangedBy } from './errors.ts';
import { resolveUser } from './users.ts';

/** One registered method as the helpdesk sees it: enough to tell the lost phone's from the new one's. */
export interface RegisteredMethod {
  id: string;
  type: MethodType;
  /** 'security_key' or 'passkey' for WebAuthn; the method type otherwise. */
  kind: string;
  name: string;
  /** The authenticator model named by its AAGUID (keys and passkeys), when it is a known one. */
  model: string | null;
  aaguid: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  deviceId: string | null;
  deviceLabel: string | null;
  phishingResistant: boolean;
  /** False when the methods policy does not let this person sign in with it (it still counts as theirs). */
  allowedByPolicy: boolean;
  /** Set while a clone signal keeps a key suspended. */
  suspendedAt: string | null;
}

// The credential tables that record the device holding a credential (migration 0052).
const ON_DEVICE: Partial<Record<MethodType, string>> = { totp: 'totp_credentials', webauthn: 'webauthn_credentials', push: 'push_credentials' };

async function devicesOf(db: Db | Tx, userId: string): Promise<Map<string, { id: string; label: string }>> {
  const out = new Map<string, { id: string; label: string }>();
  for (const table of Object.values(ON_DEVICE)) {
    const res = await sql<{ id: string; device_id: string; label: string }>`
      select c.id, c.device_id, d.label from ${sql.table(table)} c join devices d on d.id = c.device_id where c.user_id = ${userId}`.execute(db);
    for (const r of res.rows) out.set(String(r.id), { id: r.device_id, label: r.label });
  }
  return out;
}

function describe(c: UserCredential, extra: Partial<RegisteredMethod>, allowed: boolean): RegisteredMethod {
  return {
    id: c.id, type: c.type, kind: c.type, name: c.label, model: null, aaguid: null, createdAt: c.createdAt, lastUsedAt: c.lastUsedAt,
    deviceId: null, deviceLabel: null, phishingResistant: METHODS[c.type].phishingResistant, allowedByPolicy: allowed, suspendedAt: null, ...extra,
  };
}

/** Every registered method of the user, with its id (what `user remove-method` and the case's old_device_removed take). */
export async function registeredMethods(db: Db | Tx, userId: string): Promise<RegisteredMethod[]> {
  const creds = await listRegisteredCredentials(db, userId);
  const allowed = await allowedByMethodsPolicy(db, userId, creds.map((c) => c.type));
  const rows = await credentialRows(db, userId);
  const keys = new Map(rows.map((r) => [r.id, toCredential(r)]));
  const suspended = new Map(rows.map((r) => [r.id, r.suspended_at ?? null]));
  const devices = await devicesOf(db, userId);
  return creds.map((c) => {
    const key = c.type === 'webauthn' ? keys.get(c.id) : undefined;
    const device = devices.get(c.id);
    return describe(c, {
      ...(key ? { kind: key.kind, model: key.authenticator, aaguid: key.aaguid, suspendedAt: suspended.get(c.id) ?? null } : {}),
      ...(device ? { deviceId: device.id, deviceLabel: device.label } : {}),
    }, allowed(c.type));
  });
}

/**
 * What removing one method would leave the person with, in the lockout
 * analysis's words: the last phishing-resistant method, or no way in under the
 * policies as they stand. Warnings, not refusals: the helpdesk removes a lost
 * key on purpose, and a Temporary Access Pass is the way back.
 */
async function removalWarnings(db: Db | Tx, userId: string, removing: RegisteredMethod, all: RegisteredMethod[]): Promise<string[]> {
  const left = all.filter((m) => m !== removing);
  const warnings: string[] = [];
  if (removing.phishingResistant && !left.some((m) => m.phishingResistant && !m.suspendedAt)) {
    warnings.push('this is their last phishing-resistant method (security key or passkey); where policy asks for one, they will need a Temporary Access Pass to register a new one');
  }
  const settings = await loadPolicySettings(db);
  const subject = (await lockoutSubjects(db, settings)).find((s) => s.id === userId);
  if (!subject) return warnings;
  const report = analyseLockout(await loadPolicySet(db), [{ ...subject, registeredMethods: [...new Set(left.filter((m) => m.allowedByPolicy).map((m) => m.type))] }], {
    now: new Date(), registrableMethods: settings.registrableMethods, enrolmentApps: settings.enrolmentApps, strengths: await loadActiveStrengths(db),
  });
  for (const f of report.findings) warnings.push(f.fix ? `${f.message} (${f.fix})` : f.message);
  return warnings;
}

export interface MethodRef {
  type: string;
  id: string;
}

/**
 * Removes one of the user's methods by its id, through the method's own
 * removal (audited 'method.<type>.remove' under the person acting). The
 * password is not removed this way: it is replaced with set-password.
 */
export async function removeUserMethod(
  ctx: MethodContext, userRef: string, ref: MethodRef, by: ChangedBy,
): Promise<{ removed: RegisteredMethod; warnings: string[] }> {
  const user = await resolveUser(ctx.store.db, userRef);
  const all = await registeredMethods(ctx.store.db, user.id);
  const target = all.find((m) => m.id === ref.id && m.type === ref.type);
  if (!target) throw new NotFoundError(`${user.username} has no ${ref.type} method ${ref.id} (tessera user show ${user.username} lists them)`);
  if (target.type === 'password') throw new InvalidInputError('a password is not removed: set a new one with set-password');
  const warnings = await removalWarnings(ctx.store.db, user.id, target, all);
  const options = { actor: by.actor, requestId: by.requestId };
  switch (target.type) {
    case 'webauthn': await removeWebauthn(ctx, user.id, target.id, options); break;
    case 'totp': await removeTotp(ctx, user.id, target.id, options); break;
    case 'backup_code': await revokeBackupCodes(ctx, user.id, options); break;
    case 'push': await removePushCredential(ctx.store, user.id, target.id, options); break;
    case 'sms': case 'voice': await removePhone(ctx.store, user.id, target.id, options); break;
    default: throw new InvalidInputError(`${target.type} methods cannot be removed here`);
  }
  return { removed: target, warnings };
}

/** The helpdesk has looked at a key suspended after a clone signal and restores it; audited 'method.webauthn.unsuspend'. */
export async function clearKeySuspension(store: Store, userRef: string, id: string, by: ChangedBy & { note?: string }): Promise<RegisteredMethod> {
  const user = await resolveUser(store.db, userRef);
  const before = (await registeredMethods(store.db, user.id)).find((m) => m.type === 'webauthn' && m.id === id);
  if (!before) throw new NotFoundError(`${user.username} has no security key or passkey ${id}`);
  if (!(await clearSuspension(store, user.id, id, { actor: by.actor, requestId: by.requestId, note: by.note }))) {
    throw new ConflictError(`${before.name} is not suspended`);
  }
  return { ...before, suspendedAt: null };
}
