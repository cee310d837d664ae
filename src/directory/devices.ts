import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { auditedChange } from '../audit/append.ts';
import type { DeviceStatus, DevicesTable } from './tables.ts';
import { NotFoundError, RefusedError, type ChangedBy } from './errors.ts';
import { resolveUser } from './users.ts';

/**
 * The devices people use (laptops, phones): who owns them, whether IT manages
 * them and whether they pass compliance, which conditional access can require.
 * Lifecycle: active -> lost -> active (found) | retired; retired is final.
 */
export const DEVICE_STATUSES = ['active', 'lost', 'retired'] as const;

export interface Device {
  id: string;
  userId: string;
  label: string;
  platform: string | null;
  managed: boolean;
  compliant: boolean;
  status: DeviceStatus;
  lastSeenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const labelSchema = z.string().trim().min(1, 'must not be empty').max(128);
const platformSchema = z.string().trim().min(1, 'must not be empty').max(64);

export const newDeviceSchema = z.object({
  userId: z.string().min(1).max(128),
  label: labelSchema,
  platform: platformSchema.nullish(),
  managed: z.boolean().default(false),
  compliant: z.boolean().default(false),
});
export type NewDevice = z.input<typeof newDeviceSchema>;

export const devicePatchSchema = z.strictObject({
  label: labelSchema.optional(),
  platform: platformSchema.nullable().optional(),
  status: z.enum(DEVICE_STATUSES).optional(),
  managed: z.boolean().optional(),
  compliant: z.boolean().optional(),
});
export type DevicePatch = z.input<typeof devicePatchSchema>;

export const deviceFilterSchema = z.object({
  userId: z.string().min(1).max(128).optional(),
  status: z.enum(DEVICE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type DeviceFilter = z.input<typeof deviceFilterSchema>;

export function toDevice(row: DevicesTable): Device {
  return {
    id: row.id,
    userId: row.user_id,
    label: row.label,
    platform: row.platform,
    managed: Number(row.managed) === 1,
    compliant: Number(row.compliant) === 1,
    status: row.status,
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getDevice(db: Db | Tx, id: string): Promise<Device> {
  const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no device ${id}`);
  return toDevice(row);
}

export async function listDevices(db: Db | Tx, filter: DeviceFilter = {}): Promise<Device[]> {
  const f = deviceFilterSchema.parse(filter);
  let q = db.selectFrom('devices').selectAll();
  if (f.userId) q = q.where('user_id', '=', (await resolveUser(db, f.userId)).id);
  if (f.status) q = q.where('status', '=', f.status);
  const rows = await q.orderBy('created_at').orderBy('id').limit(f.limit).offset(f.offset).execute();
  return rows.map(toDevice);
}

export async function createDevice(store: Store, input: NewDevice, by: ChangedBy): Promise<Device> {
  const data = newDeviceSchema.parse(input);
  return auditedChange(store, async (trx, record) => {
    const owner = await resolveUser(trx, data.userId);
    const now = new Date().toISOString();
    const row: DevicesTable = {
      id: randomUUID(),
      user_id: owner.id,
      label: data.label,
      platform: data.platform ?? null,
      managed: data.managed ? 1 : 0,
      compliant: data.compliant ? 1 : 0,
      status: 'active',
      last_seen_at: null,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('devices').values(row).execute();
    const device = toDevice(row);
    await record({ actor: by.actor, action: 'device.create', target: `device:${row.id}`, requestId: by.requestId, after: device });
    return device;
  });
}

/** Changes label, platform, status or compliance; an unchanged patch writes no entry. */
export async function updateDevice(store: Store, id: string, patch: DevicePatch, by: ChangedBy): Promise<Device> {
  const p = devicePatchSchema.parse(patch);
  return auditedChange(store, async (trx, record) => {
    const before = await getDevice(trx, id);
    if (before.status === 'retired' && p.status !== undefined && p.status !== 'retired') {
      throw new RefusedError('a retired device cannot come back; register it again as a new device');
    }
    const set: Partial<DevicesTable> = {};
    if (p.label !== undefined && p.label !== before.label) set.label = p.label;
    if (p.platform !== undefined && p.platform !== before.platform) set.platform = p.platform;
    if (p.status !== undefined && p.status !== before.status) set.status = p.status;
    if (p.managed !== undefined && p.managed !== before.managed) set.managed = p.managed ? 1 : 0;
    if (p.compliant !== undefined && p.compliant !== before.compliant) set.compliant = p.compliant ? 1 : 0;
    if (Object.keys(set).length === 0) return before;
    set.updated_at = new Date().toISOString();
    await trx.updateTable('devices').set(set).where('id', '=', id).execute();
    const after = await getDevice(trx, id);
    // The most specific verb, so the audit trail reads "device.lost" rather than a generic update.
    const action = set.status ? `device.${set.status === 'active' ? 'found' : set.status}` : 'device.update';
    await record({ actor: by.actor, action, target: `device:${id}`, requestId: by.requestId, before, after });
    return after;
  });
}

/**
 * Notes that a device was seen at sign-in. Not audited: it is telemetry that
 * changes on every sign-in, not a change anyone made to the device.
 */
export async function recordDeviceSeen(db: Db | Tx, id: string, at = new Date()): Promise<void> {
  await db.updateTable('devices').set({ last_seen_at: at.toISOString() }).where('id', '=', id).execute();
}
