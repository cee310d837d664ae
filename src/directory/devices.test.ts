import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { NotFoundError, RefusedError } from './errors.ts';
import { createDevice, getDevice, listDevices, recordDeviceSeen, updateDevice } from './devices.ts';
import { createUser } from './users.ts';

const by = { actor: 'test:devices' };

for (const engine of ENGINES) {
  test(`devices service on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const alice = await createUser(store, { username: 'alice' }, by);
    await createUser(store, { username: 'bob' }, by);
    const actions = async () => (await store.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);

    await t.test('create for an owner, by username or id', async () => {
      const laptop = await createDevice(store, { userId: 'alice', label: 'Work laptop', platform: 'macos', managed: true }, by);
      assert.equal(laptop.userId, alice.id);
      assert.equal(laptop.managed, true);
      assert.equal(laptop.compliant, false);
      assert.equal(laptop.status, 'active');
      assert.equal(laptop.lastSeenAt, null);
      await createDevice(store, { userId: alice.id, label: 'Phone' }, by);
      await createDevice(store, { userId: 'bob', label: 'Tablet' }, by);
      await assert.rejects(createDevice(store, { userId: 'nobody', label: 'x' }, by), NotFoundError);
      await assert.rejects(createDevice(store, { userId: 'alice', label: '' }, by), /label/);
      assert.deepEqual((await actions()).filter((a) => a.startsWith('device.')), ['device.create', 'device.create', 'device.create']);
    });

    await t.test('status and compliance changes are audited with the specific verb', async () => {
      const [laptop] = await listDevices(store.db, { userId: 'alice' });
      const compliant = await updateDevice(store, laptop!.id, { compliant: true }, by);
      assert.equal(compliant.compliant, true);
      assert.equal((await actions()).at(-1), 'device.update');
      assert.equal((await updateDevice(store, laptop!.id, { status: 'lost' }, by)).status, 'lost');
      assert.equal((await actions()).at(-1), 'device.lost');
      assert.equal((await updateDevice(store, laptop!.id, { status: 'active' }, by)).status, 'active');
      assert.equal((await actions()).at(-1), 'device.found');
      await updateDevice(store, laptop!.id, { status: 'retired' }, by);
      assert.equal((await actions()).at(-1), 'device.retired');
      await assert.rejects(updateDevice(store, laptop!.id, { status: 'active' }, by), RefusedError);
      await assert.rejects(updateDevice(store, 'no-such-device', { status: 'lost' }, by), NotFoundError);
      await assert.rejects(updateDevice(store, laptop!.id, { status: 'stolen' as 'lost' }, by), /status/);
    });

    await t.test('list filters; last seen is recorded without an audit entry', async () => {
      assert.equal((await listDevices(store.db)).length, 3);
      assert.equal((await listDevices(store.db, { status: 'retired' })).length, 1);
      assert.equal((await listDevices(store.db, { userId: 'bob' })).length, 1);
      const [tablet] = await listDevices(store.db, { userId: 'bob' });
      const n = (await actions()).length;
      await recordDeviceSeen(store.db, tablet!.id, new Date('2030-01-02T03:04:05.000Z'));
      assert.equal((await getDevice(store.db, tablet!.id)).lastSeenAt, '2030-01-02T03:04:05.000Z');
      assert.equal((await actions()).length, n);
    });
  });
}
