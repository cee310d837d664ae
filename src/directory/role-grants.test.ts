import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { ConflictError, InvalidInputError, NotFoundError, RefusedError } from './errors.ts';
import { grantRole, revokeRole, roleDefinitions, roleGrantsOf, roleHolders } from './role-grants.ts';
import { createUser, disableUser } from './users.ts';

const by = { actor: 'test:roles' };

test('role definitions come from code', () => {
  const defs = roleDefinitions();
  assert.deepEqual(defs.map((d) => d.name), ['global_admin', 'security_admin', 'helpdesk', 'auditor', 'provisioning']);
  const auditor = defs.find((d) => d.name === 'auditor')!;
  assert.equal(auditor.privileged, false);
  assert.ok(auditor.permissions.every((p) => p.endsWith(':read')));
  assert.ok(defs.find((d) => d.name === 'global_admin')!.permissions.includes('tokens:write'));
});

for (const engine of ENGINES) {
  test(`role grants on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const alice = await createUser(store, { username: 'alice' }, by);
    await createUser(store, { username: 'bob' }, by);

    await t.test('grant, duplicate, unknown role, unknown user', async () => {
      const grant = await grantRole(store, 'alice', 'global_admin', by);
      assert.equal(grant.grantedBy, 'test:roles');
      await grantRole(store, 'alice', 'auditor', by);
      assert.deepEqual((await roleGrantsOf(store.db, alice.id)).map((g) => g.role), ['auditor', 'global_admin']);
      await assert.rejects(grantRole(store, 'alice', 'auditor', by), ConflictError);
      await assert.rejects(grantRole(store, 'alice', 'superuser', by), (err: Error) => err instanceof InvalidInputError && /roles are/.test(err.message));
      await assert.rejects(grantRole(store, 'nobody', 'auditor', by), NotFoundError);
      const entry = await store.db.selectFrom('audit_log').selectAll().where('action', '=', 'role.grant').orderBy('seq').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(entry.after_json!), { role: 'global_admin' });
    });

    await t.test('revoking the last active global admin is refused, not otherwise', async () => {
      await assert.rejects(revokeRole(store, 'alice', 'global_admin', by), RefusedError);
      await revokeRole(store, 'alice', 'auditor', by);
      await assert.rejects(revokeRole(store, 'alice', 'auditor', by), NotFoundError);
      // A disabled holder does not count: granting bob while he is disabled leaves alice the last.
      await grantRole(store, 'bob', 'global_admin', by);
      await disableUser(store, 'bob', by);
      await assert.rejects(revokeRole(store, 'alice', 'global_admin', by), /last active global admin/);
      assert.deepEqual((await roleHolders(store.db, 'global_admin')).map((u) => u.username), ['alice', 'bob']);
      await revokeRole(store, 'bob', 'global_admin', by);
      const actions = (await store.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);
      assert.equal(actions.filter((a) => a === 'role.revoke').length, 2);
    });
  });
}
