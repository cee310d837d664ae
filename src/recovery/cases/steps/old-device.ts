import { InvalidInputError, NotFoundError, RefusedError } from '../../../directory/errors.ts';
import { getDevice } from '../../../directory/devices.ts';
import { credentialsOnDevice, removeCredentialsIn, type BoundCredential } from '../../devices/bindings.ts';
import { reportDeviceLostIn, retireDeviceIn } from '../../devices/lifecycle.ts';
import { credentialsLost, type LostCredentialsResult } from './lost-credentials.ts';
import { detailsOf, type StepHandler } from './types.ts';

/**
 * The old (lost, broken or replaced) phone's methods are removed: a lost
 * phone is reported lost (methods, sessions and app tokens revoked, alert
 * written), a replaced one retired. Methods of the old phone that were never
 * bound to it are named one by one; in a lost-phone case they are lost too,
 * and end what a lost device ends (sessions, app tokens, an alert). The
 * method registered in this case is never among them.
 */
export const oldDeviceRemoved: StepHandler = async (c, input) => {
  if (!input.deviceId && !input.credentials?.length) {
    throw new InvalidInputError('old_device_removed needs the old device (deviceId) and/or its credentials; or skip the step with a reason');
  }
  const fresh = ((detailsOf(c, 'new_method_registered')?.methods ?? []) as Array<{ id: string }>).map((m) => m.id);
  const removed: BoundCredential[] = [];
  let deviceAction: string | null = null;
  let lost: LostCredentialsResult | null = null;
  if (input.deviceId) {
    const device = await getDevice(c.trx, input.deviceId);
    if (device.userId !== c.kase.user_id) throw new NotFoundError(`no device ${input.deviceId} of ${c.kase.username}`);
    const onIt = await credentialsOnDevice(c.trx, c.tables, device.id, device.userId);
    if (onIt.some((m) => fresh.includes(m.id))) {
      throw new RefusedError('that device holds the method registered in this case: name the old device');
    }
    if (c.kase.scenario === 'lost_phone' && device.status !== 'retired') {
      if (device.status === 'lost') {
        deviceAction = 'already_lost';
      } else {
        const lost = await reportDeviceLostIn(c.trx, c.record, c.tables, device.id, { ...c.by, reportedBy: 'helpdesk', note: `case ${c.kase.id}` });
        removed.push(...lost.removedMethods);
        deviceAction = 'reported_lost';
      }
    } else if (device.status === 'retired') {
      deviceAction = 'already_retired';
    } else {
      const retired = await retireDeviceIn(c.trx, c.record, c.tables, device.id, c.by);
      removed.push(...retired.removedMethods);
      deviceAction = 'retired';
    }
  }
  if (input.credentials?.length) {
    if (input.credentials.some((x) => fresh.includes(x.id))) throw new RefusedError('that is the method registered in this case, not an old one');
    const named = await removeCredentialsIn(c.trx, c.record, c.tables, c.kase.user_id, input.credentials, c.by, `case ${c.kase.id}`);
    removed.push(...named);
    // A device reported lost in this step already revoked everything.
    if (c.kase.scenario === 'lost_phone' && deviceAction !== 'reported_lost' && named.length) lost = await credentialsLost(c, named);
  }
  return {
    details: {
      deviceId: input.deviceId ?? null,
      deviceAction,
      removedMethods: removed.map((m) => ({ type: m.type, id: m.id, label: m.label })),
      ...(lost ? { sessionsRevoked: lost.sessions, alertId: lost.alertId } : {}),
    },
  };
};
