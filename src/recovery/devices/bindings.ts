import { sql } from 'kysely';
import type { Db, Store, Tx } from '../../store/store.ts';
import type { RecordAudit } from '../../audit/append.ts';
import { auditedChange } from '../../audit/append.ts';
import { InvalidInputError, NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { getDevice } from '../../directory/devices.ts';
import { listUserMethods } from '../../methods/list.ts';
import type { MethodType } from '../../methods/method.ts';

/**
 * Which credentials live on which device. Each method that keeps its
 * credentials on a device (an authenticator app's seed, a passkey, a push key)
 * has a nullable device_id column in its credential table; the tables are
 * named here, and those not (yet) in the database are skipped, so a method
 * added later takes part as soon as its table exists with that column.
 */
export interface DeviceBoundTable {
  method: MethodType;
  table: string;
}

export const DEVICE_BOUND_TABLES: readonly DeviceBoundTable[] = [
  { method: 'totp', table: 'totp_credentials' },
  { method: 'webauthn', table: 'webauthn_credentials' },
  { method: 'push', table: 'push_credentials' },
];

export interface BoundCredential {
  type: MethodType;
  id: string;
  label: string | null;
}

/**
 * The bound tables present in this database with a device_id column. Read
 * before a transaction starts (on SQLite the schema query needs the one connection).
 */
export async function presentBoundTables(db: Db): Promise<DeviceBoundTable[]> {
  const tables = await db.introspection.getTables();
  return DEVICE_BOUND_TABLES.filter((b) => {
    const t = tables.find((x) => x.name === b.table);
    return !!t && t.columns.some((c) => c.name === 'device_id') && t.columns.some((c) => c.name === 'user_id');
  });
}

async function idsWhere(db: Db | Tx, table: string, column: 'device_id' | 'user_id', value: string): Promise<string[]> {
  const res = await sql<{ id: string }>`select id from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(db);
  return res.rows.map((r) => String(r.id));
}

async function labelled(db: Db | Tx, userId: string, found: Array<{ type: MethodType; id: string }>): Promise<BoundCredential[]> {
  const listed = await listUserMethods(db, userId);
  return found.map((f) => ({ ...f, label: listed.find((m) => m.type === f.type && m.id === f.id)?.label ?? null }));
}

/** The credentials bound to a device. */
export async function credentialsOnDevice(db: Db | Tx, tables: readonly DeviceBoundTable[], deviceId: string, userId: string): Promise<BoundCredential[]> {
  const found: Array<{ type: MethodType; id: string }> = [];
  for (const t of tables) for (const id of await idsWhere(db, t.table, 'device_id', deviceId)) found.push({ type: t.method, id });
  return labelled(db, userId, found);
}

/**
 * Removes every credential bound to the device, inside the caller's audited
 * transaction, with one 'method.<type>.remove' entry each (as the method's
 * own removal writes). Returns what was removed.
 */
export async function removeDeviceCredentials(
  trx: Tx,
  tables: readonly DeviceBoundTable[],
  device: { id: string; userId: string },
  by: ChangedBy,
  record: RecordAudit,
  why: string,
): Promise<BoundCredential[]> {
  const removed = await credentialsOnDevice(trx, tables, device.id, device.userId);
  for (const t of tables) {
    await sql`delete from ${sql.table(t.table)} where device_id = ${device.id} and user_id = ${device.userId}`.execute(trx);
  }
  for (const c of removed) {
    await record({
      actor: by.actor,
      action: `method.${c.type}.remove`,
      target: `user:${device.userId}`,
      requestId: by.requestId,
      before: { id: c.id, label: c.label, deviceId: device.id },
      after: { reason: why },
    });
  }
  return removed;
}

/** Removes every credential of the user in the bound tables (offboarding). */
export async function removeAllBoundCredentials(trx: Tx, tables: readonly DeviceBoundTable[], userId: string): Promise<Array<{ type: MethodType; id: string }>> {
  const removed: Array<{ type: MethodType; id: string }> = [];
  for (const t of tables) {
    for (const id of await idsWhere(trx, t.table, 'user_id', userId)) removed.push({ type: t.method, id });
    await sql`delete from ${sql.table(t.table)} where user_id = ${userId}`.execute(trx);
  }
  return removed;
}

export interface BindInput {
  deviceId: string;
  type: string;
  credentialId: string;
}

/**
 * Records which device holds a credential, when it is registered or later, so
 * that reporting the device lost revokes exactly its credentials. The device
 * must be the credential owner's and active. Audited 'method.device.bind'.
 */
export async function bindMethodToDevice(store: Store, input: BindInput, by: ChangedBy): Promise<BoundCredential & { deviceId: string }> {
  const tables = await presentBoundTables(store.db);
  const table = tables.find((t) => t.method === input.type);
  if (!table) {
    const kinds = tables.map((t) => t.method).join(', ') || 'none';
    throw new InvalidInputError(`${input.type} credentials cannot be bound to a device (methods that can: ${kinds})`);
  }
  return auditedChange(store, async (trx, record) => {
    const device = await getDevice(trx, input.deviceId);
    return bindIn(trx, record, table, device, input.credentialId, by);
  });
}

/** The same, inside an audited transaction the caller holds. */
export async function bindIn(
  trx: Tx,
  record: RecordAudit,
  table: DeviceBoundTable,
  device: { id: string; userId: string; label: string; status: string },
  credentialId: string,
  by: ChangedBy,
): Promise<BoundCredential & { deviceId: string }> {
  if (device.status !== 'active') throw new RefusedError(`device ${device.label} is ${device.status}: bind methods to an active device`);
  const res = await sql<{ id: string; device_id: string | null }>`select id, device_id from ${sql.table(table.table)} where id = ${credentialId} and user_id = ${device.userId}`.execute(trx);
  const row = res.rows[0];
  if (!row) throw new NotFoundError(`the device's owner has no ${table.method} credential ${credentialId}`);
  if (row.device_id !== device.id) {
    await sql`update ${sql.table(table.table)} set device_id = ${device.id} where id = ${credentialId}`.execute(trx);
    await record({
      actor: by.actor,
      action: 'method.device.bind',
      target: `user:${device.userId}`,
      requestId: by.requestId,
      before: { type: table.method, credentialId, deviceId: row.device_id },
      after: { type: table.method, credentialId, deviceId: device.id },
    });
  }
  const [c] = await labelled(trx, device.userId, [{ type: table.method, id: credentialId }]);
  return { ...c!, deviceId: device.id };
}

/**
 * Removes named credentials of a user (a device's methods that were never
 * bound to it), with one 'method.<type>.remove' entry each. Backup codes are
 * removed as a set. Throws when one is not the user's.
 */
export async function removeCredentialsIn(
  trx: Tx,
  record: RecordAudit,
  tables: readonly DeviceBoundTable[],
  userId: string,
  credentials: ReadonlyArray<{ type: string; id: string }>,
  by: ChangedBy,
  why: string,
): Promise<BoundCredential[]> {
  const listed = await listUserMethods(trx, userId);
  const removed: BoundCredential[] = [];
  for (const c of credentials) {
    const known = listed.find((m) => m.type === c.type && m.id === c.id);
    if (!known || known.type === 'password') throw new NotFoundError(`the user has no ${c.type} credential ${c.id}`);
    if (known.type === 'backup_code') {
      await trx.deleteFrom('backup_codes').where('set_id', '=', known.id).execute();
      await trx.deleteFrom('backup_code_sets').where('id', '=', known.id).where('user_id', '=', userId).execute();
    } else {
      const table = tables.find((t) => t.method === known.type);
      if (!table) throw new InvalidInputError(`${known.type} credentials cannot be removed here`);
      await sql`delete from ${sql.table(table.table)} where id = ${known.id} and user_id = ${userId}`.execute(trx);
    }
    removed.push({ type: known.type, id: known.id, label: known.label });
    await record({
      actor: by.actor,
      action: known.type === 'backup_code' ? 'method.backup_codes.revoke' : `method.${known.type}.remove`,
      target: `user:${userId}`,
      requestId: by.requestId,
      before: { id: known.id, label: known.label },
      after: { reason: why },
    });
  }
  return removed;
}
