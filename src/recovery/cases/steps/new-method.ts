import { NotFoundError, RefusedError } from '../../../directory/errors.ts';
import { getDevice } from '../../../directory/devices.ts';
import { listUserMethods } from '../../../methods/list.ts';
import { bindIn } from '../../devices/bindings.ts';
import type { StepHandler } from './types.ts';

/**
 * Detected, not declared: the system looks for a method the person added
 * after the case was opened (usually inside the sign-in with the pass). With
 * a device id, the new methods that live on a device are bound to it, so a
 * later loss of that device revokes exactly them.
 */
export const newMethodRegistered: StepHandler = async (c, input) => {
  const since = c.kase.opened_at;
  const added = (await listUserMethods(c.trx, c.kase.user_id)).filter((m) => m.type !== 'password' && m.createdAt > since);
  if (!added.length) {
    throw new RefusedError(`no new sign-in method was registered since the case opened (${since}): the person signs in with the pass and registers one first`);
  }
  let deviceId: string | null = null;
  const bound: string[] = [];
  if (input.deviceId) {
    const device = await getDevice(c.trx, input.deviceId);
    if (device.userId !== c.kase.user_id) throw new NotFoundError(`no device ${input.deviceId} of ${c.kase.username}`);
    deviceId = device.id;
    for (const m of added) {
      const table = c.tables.find((t) => t.method === m.type);
      if (!table) continue;
      await bindIn(c.trx, c.record, table, device, m.id, c.by);
      bound.push(m.id);
    }
  }
  return {
    details: {
      methods: added.map((m) => ({ type: m.type, id: m.id, label: m.label, createdAt: m.createdAt })),
      deviceId,
      boundToDevice: bound,
    },
  };
};
