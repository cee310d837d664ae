import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { addGroupMember, createGroup } from '../../src/directory/groups.ts';
import { createUser } from '../../src/directory/users.ts';
import { syncSource } from '../../src/protocols/ldap/sync.ts';
import { removeSource } from '../../src/protocols/ldap/sources.ts';
import { PASSWORDS, PEOPLE, slapdSkip, startSlapd } from './slapd.ts';
import { addTestSource, membersOf, newSecrets, usersByName } from './support.ts';

const by = { actor: 'cli:test' };
const DAY = 86_400_000;

/**
 * Local accounts and groups with the directory's names are left alone unless
 * the source is told to adopt them; adopted, the directory's profile and
 * members win. A leaver who comes back after offboarding gets the directory
 * password back as a method.
 */
for (const engine of ENGINES) {
  test(`LDAP sync: local accounts skipped or adopted; a returner after offboarding, on ${engine}`, { ...engineSkip(engine), ...slapdSkip() }, async (t) => {
    const slapd = await startSlapd();
    t.after(() => slapd.stop());
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const secrets = newSecrets();
    await createUser(store, { username: 'bob', email: 'bob@old.example' }, by);
    await createUser(store, { username: 'zed' }, by);
    await createGroup(store, { name: 'platform' }, by);
    await addGroupMember(store, 'platform', 'zed', by);

    await t.test('without adoption, the local account and group are skipped and untouched', async () => {
      await addTestSource(store, secrets, slapd, {}, 'plain');
      const report = await syncSource(store, secrets, 'plain', { by, dryRun: true });
      const skipped = report.lines.filter((l) => l.kind === 'skip').map((l) => l.name).sort();
      assert.deepEqual(skipped, ['bob', 'platform']);
      await removeSource(store, 'plain', by);
    });

    await t.test('with adoption, the directory takes them over: its profile, its members', async () => {
      await addTestSource(store, secrets, slapd, { adoptLocal: true, passwordBind: true });
      const report = await syncSource(store, secrets, 'corp', { by });
      assert.equal(report.counts.adopt, 1);
      assert.equal(report.counts.group_adopt, 1);
      const bob = (await usersByName(store)).get('bob')!;
      assert.equal(bob.email, 'bob@example.org');
      assert.equal(bob.displayName, 'Bob Baker');
      assert.deepEqual(await membersOf(store, 'platform'), ['carol'], 'zed, a local member, is out; carol is in');
      const pw = await store.db.selectFrom('password_credentials').select('user_id').where('user_id', '=', bob.id).executeTakeFirst();
      assert.ok(pw, 'the directory password counts as a method');
    });

    await t.test('a leaver offboarded and back in the directory is enabled again, with the directory password as a method', async () => {
      slapd.modify(`dn: uid=carol,${PEOPLE}\nchangetype: delete\n`);
      const left = new Date();
      await syncSource(store, secrets, 'corp', { by, now: () => left });
      const off = await syncSource(store, secrets, 'corp', { by, now: () => new Date(left.getTime() + 8 * DAY) });
      assert.equal(off.counts.offboard, 1);
      const carol = (await usersByName(store)).get('carol')!;
      assert.equal(await store.db.selectFrom('password_credentials').select('user_id').where('user_id', '=', carol.id).executeTakeFirst(), undefined);
      slapd.modify([`dn: uid=carol,${PEOPLE}`, 'changetype: add', 'objectClass: inetOrgPerson', 'uid: carol', 'cn: Carol Cole', 'sn: Cole', 'mail: carol@example.org', `userPassword: ${PASSWORDS.carol}`, ''].join('\n'));
      const back = await syncSource(store, secrets, 'corp', { by, now: () => new Date(left.getTime() + 9 * DAY) });
      assert.equal(back.counts.returned, 1);
      assert.equal(back.counts.enable, 1);
      assert.equal((await usersByName(store)).get('carol')!.status, 'active');
      assert.ok(await store.db.selectFrom('password_credentials').select('user_id').where('user_id', '=', carol.id).executeTakeFirst());
    });
  });
}
