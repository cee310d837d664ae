import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { addGroupMember, createGroup, deleteGroup, getGroup, groupsOfUser, listGroups, removeGroupMember } from './groups.ts';
import { createUser, deleteUser } from './users.ts';

const by = { actor: 'test:groups' };

for (const engine of ENGINES) {
  test(`groups service on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const lastAction = async () => ({
      ...(await store.db.selectFrom('audit_log').select(['action', 'target']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow()),
    });
    const alice = await createUser(store, { username: 'alice' }, by);
    await createUser(store, { username: 'bob' }, by);

    await t.test('create: names unique case-insensitively, audited', async () => {
      const g = await createGroup(store, { name: 'Finance', description: 'money people' }, by);
      assert.equal(g.memberCount, 0);
      assert.deepEqual(await lastAction(), { action: 'group.create', target: `group:${g.id}` });
      await assert.rejects(createGroup(store, { name: 'FINANCE' }, by), ConflictError);
      await assert.rejects(createGroup(store, { name: '  ' }, by), /empty/);
      await createGroup(store, { name: 'Admins' }, by);
    });

    await t.test('members: add, list, duplicate refused, remove', async () => {
      await addGroupMember(store, 'finance', 'alice', by);
      await addGroupMember(store, 'Finance', 'BOB', by);
      assert.equal((await lastAction()).action, 'group.member.add');
      await assert.rejects(addGroupMember(store, 'finance', 'alice', by), ConflictError);
      await assert.rejects(addGroupMember(store, 'nope', 'alice', by), NotFoundError);
      await assert.rejects(addGroupMember(store, 'finance', 'nobody', by), NotFoundError);
      const g = await getGroup(store.db, 'finance');
      assert.deepEqual(g.members.map((m) => m.username), ['alice', 'bob']);
      assert.equal(g.memberCount, 2);
      assert.deepEqual((await listGroups(store.db)).map((x) => [x.name, x.memberCount]), [['Admins', 0], ['Finance', 2]]);
      assert.deepEqual((await groupsOfUser(store.db, alice.id)).map((x) => x.name), ['Finance']);
      await removeGroupMember(store, 'finance', 'bob', by);
      assert.equal((await lastAction()).action, 'group.member.remove');
      await assert.rejects(removeGroupMember(store, 'finance', 'bob', by), NotFoundError);
    });

    await t.test('deleting a user drops the membership; deleting a group keeps its members in the entry', async () => {
      await addGroupMember(store, 'admins', 'bob', by);
      await deleteUser(store, 'bob', by);
      assert.equal((await getGroup(store.db, 'admins')).memberCount, 0);
      await deleteGroup(store, 'finance', by);
      const entry = await store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(entry.action, 'group.delete');
      assert.deepEqual(JSON.parse(entry.before_json!).members, ['alice']);
      await assert.rejects(getGroup(store.db, 'finance'), NotFoundError);
      assert.deepEqual(await groupsOfUser(store.db, alice.id), []);
    });
  });
}
