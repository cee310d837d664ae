import type { AppContext } from '../../app/context.ts';
import type { Store, Tx } from '../../store/store.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import { NotFoundError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { createDevice, getDevice, newDeviceSchema, type Device } from '../../directory/devices.ts';
import { findUserById, rolesOf } from '../../directory/users.ts';
import { raiseAlert } from '../../monitor/alerts.ts';
import { endAccessIn } from '../../signin/session/revoke-everywhere.ts';
import { isPrivileged } from '../operator.ts';
import { placeHoldIfNoSecondFactor } from '../holds.ts';
import { presentBoundTables, removeDeviceCredentials, type BoundCredential, type DeviceBoundTable } from './bindings.ts';

export interface LostDeviceResult {
  device: Device;
  removedMethods: BoundCredential[];
  sessions: number;
  appSessions: number;
  grants: number;
  appCredentials: number;
  alertId: string;
  /** The user has no second factor left and must recover with a Temporary Access Pass. */
  onHold: boolean;
}

export interface LostOptions extends ChangedBy {
  /** Who reported it, for the alert: the user on the self-service page, or the helpdesk. */
  reportedBy: 'user' | 'helpdesk';
  /** When the user reports: the device must be theirs (anything else answers "no such device"). */
  ownerId?: string;
  note?: string;
}

/**
 * A device was lost or stolen: it is marked lost, every credential bound to
 * it is revoked, all the user's sessions and apps' refresh tokens are
 * revoked, and an alert is written, in one audited transaction. If that
 * leaves no second factor, the user is put on a recovery hold (back in only
 * with a Temporary Access Pass, never with the password alone).
 */
export async function reportDeviceLost(ctx: Pick<AppContext, 'store'>, deviceId: string, options: LostOptions): Promise<LostDeviceResult> {
  const tables = await presentBoundTables(ctx.store.db);
  return auditedChange(ctx.store, (trx, record) => reportDeviceLostIn(trx, record, tables, deviceId, options));
}

/** The same, inside an audited transaction the caller holds; `tables` from presentBoundTables, read before it. */
export async function reportDeviceLostIn(
  trx: Tx,
  record: RecordAudit,
  tables: readonly DeviceBoundTable[],
  deviceId: string,
  options: LostOptions,
): Promise<LostDeviceResult> {
  const before = await getDevice(trx, deviceId);
  if (options.ownerId && before.userId !== options.ownerId) throw new NotFoundError(`no device ${deviceId}`);
  if (before.status === 'retired') throw new RefusedError('a retired device cannot be reported lost: its methods were already removed');
  const user = await findUserById(trx, before.userId);
  if (!user) throw new NotFoundError(`no device ${deviceId}`);
  const now = new Date();
  const removedMethods = await removeDeviceCredentials(trx, tables, before, options, record, 'device_lost');
  await trx.updateTable('devices').set({ status: 'lost', updated_at: now.toISOString() }).where('id', '=', deviceId).execute();
  const device = await getDevice(trx, deviceId);
  const ended = await endAccessIn(trx, user.id, { now });
  const onHold = await placeHoldIfNoSecondFactor(trx, user.id, 'device_lost', options.actor, now);
  const summary = {
    removedMethods: removedMethods.map((m) => ({ type: m.type, id: m.id })),
    ...ended,
    onHold,
    reportedBy: options.reportedBy,
    note: options.note?.slice(0, 500) ?? null,
  };
  await record({ actor: options.actor, action: 'device.lost', target: `device:${deviceId}`, requestId: options.requestId, before, after: { ...device, ...summary } });
  await record({ actor: options.actor, action: 'session.revoke_all', target: `user:${user.id}`, requestId: options.requestId, after: { ...summary, reason: 'device_lost' } });
  const alert = await raiseAlert(trx, {
    severity: isPrivileged(user, await rolesOf(trx, user.id)) ? 'high' : 'medium',
    kind: 'device.lost',
    userId: user.id,
    username: user.username,
    details: { deviceId, label: device.label, platform: device.platform, actor: options.actor, ...summary },
    at: now,
  });
  return { device, removedMethods, ...ended, alertId: alert.id, onHold };
}

export interface RetiredDevice {
  device: Device;
  removedMethods: BoundCredential[];
  onHold: boolean;
}

/**
 * A device leaves service (handed back, replaced, wiped): retired for good and
 * its credentials removed. Sessions stay: the device was not lost.
 */
export async function retireDevice(store: Store, deviceId: string, by: ChangedBy): Promise<RetiredDevice> {
  const tables = await presentBoundTables(store.db);
  return auditedChange(store, (trx, record) => retireDeviceIn(trx, record, tables, deviceId, by));
}

export async function retireDeviceIn(trx: Tx, record: RecordAudit, tables: readonly DeviceBoundTable[], deviceId: string, by: ChangedBy): Promise<RetiredDevice> {
  const before = await getDevice(trx, deviceId);
  if (before.status === 'retired') throw new RefusedError('this device is already retired');
  const now = new Date();
  const removedMethods = await removeDeviceCredentials(trx, tables, before, by, record, 'device_retired');
  await trx.updateTable('devices').set({ status: 'retired', updated_at: now.toISOString() }).where('id', '=', deviceId).execute();
  const device = await getDevice(trx, deviceId);
  const onHold = await placeHoldIfNoSecondFactor(trx, before.userId, 'device_retired', by.actor, now);
  await record({
    actor: by.actor,
    action: 'device.retired',
    target: `device:${deviceId}`,
    requestId: by.requestId,
    before,
    after: { ...device, removedMethods: removedMethods.map((m) => ({ type: m.type, id: m.id })), onHold },
  });
  return { device, removedMethods, onHold };
}

export const replacementSchema = newDeviceSchema.omit({ userId: true });

/**
 * A new phone for an old one: the new device is registered for the same user
 * and the old one retired with its credentials. Do it once the person has
 * registered methods on the new device (the runbooks order it so).
 */
export async function replaceDevice(
  store: Store,
  oldId: string,
  replacement: { label: string; platform?: string | null; managed?: boolean; compliant?: boolean },
  by: ChangedBy,
): Promise<{ retired: RetiredDevice; device: Device }> {
  const old = await getDevice(store.db, oldId);
  if (old.status === 'retired') throw new RefusedError('this device is already retired');
  const data = replacementSchema.parse(replacement);
  const device = await createDevice(store, { ...data, userId: old.userId }, by);
  const retired = await retireDevice(store, oldId, by);
  return { retired, device };
}
