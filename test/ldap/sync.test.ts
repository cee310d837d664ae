import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { syncSource } from '../../src/protocols/ldap/sync.ts';
import { takeLease } from '../../src/protocols/ldap/lease.ts';
import { PEOPLE, slapdSkip, startSlapd } from './slapd.ts';
import { addTestSource, auditActions, membersOf, newSecrets, usersByName } from './support.ts';

const by = { actor: 'cli:test' };
const DAY = 86_400_000;

/**
 * A real slapd with a seeded tree drives the sync: people and groups are
 * created, a changed mail is updated, a person disabled there is disabled
 * here, a leaver is disabled at once and offboarded after the grace period;
 * a dry run changes nothing and says what it would do.
 */
for (const engine of ENGINES) {
  test(`LDAP sync from OpenLDAP over StartTLS, on ${engine}`, { ...engineSkip(engine), ...slapdSkip() }, async (t) => {
    const slapd = await startSlapd();
    t.after(() => slapd.stop());
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const secrets = newSecrets();
    await addTestSource(store, secrets, slapd);

    await t.test('a dry run reports what it would do and changes nothing', async () => {
      const report = await syncSource(store, secrets, 'corp', { by, dryRun: true });
      assert.equal(report.dryRun, true);
      assert.equal(report.counts.create, 4);
      assert.equal(report.counts.group_create, 2);
      assert.ok(report.lines.some((l) => l.kind === 'create' && l.name === 'dave' && /disabled there/.test(l.detail)));
      assert.equal((await usersByName(store)).size, 0, 'nobody created');
      assert.deepEqual(await auditActions(store, 'ldap:corp'), [], 'nothing done as the source');
      const runs = await store.db.selectFrom('ldap_sync_runs').select(['dry_run']).execute();
      assert.deepEqual(runs.map((r) => Number(r.dry_run)), [1], 'the run and its report are kept');
      assert.deepEqual(await auditActions(store, 'cli:test'), ['directory.source.add', 'directory.sync.dry_run']);
    });

    await t.test('a sync creates the people (the disabled one disabled) and the groups, nesting resolved', async () => {
      const report = await syncSource(store, secrets, 'corp', { by });
      assert.equal(report.counts.create, 4);
      const users = await usersByName(store);
      assert.deepEqual([...users.keys()].sort(), ['alice', 'bob', 'carol', 'dave']);
      assert.equal(users.get('alice')!.email, 'alice@example.org');
      assert.equal(users.get('alice')!.displayName, 'Alice Archer');
      assert.equal(users.get('dave')!.status, 'disabled');
      assert.equal(users.get('bob')!.status, 'active');
      assert.deepEqual(await membersOf(store, 'engineering'), ['alice', 'carol'], 'carol through the nested platform group');
      assert.deepEqual(await membersOf(store, 'platform'), ['carol']);
      const actions = await auditActions(store, 'ldap:corp');
      assert.equal(actions.filter((a) => a === 'user.create').length, 4);
      assert.equal(actions.filter((a) => a === 'group.member.add').length, 3);
    });

    await t.test('a second sync with nothing changed changes nothing', async () => {
      const report = await syncSource(store, secrets, 'corp', { by });
      assert.deepEqual(report.counts, {});
    });

    await t.test('a mail changed in the directory is updated; a person disabled there is disabled here', async () => {
      slapd.modify(`dn: uid=alice,${PEOPLE}\nchangetype: modify\nreplace: mail\nmail: alice.archer@example.org\n`);
      slapd.modify(`dn: uid=bob,${PEOPLE}\nchangetype: modify\nadd: employeeType\nemployeeType: disabled\n`);
      const report = await syncSource(store, secrets, 'corp', { by });
      assert.deepEqual(report.counts, { update: 1, disable: 1 });
      const users = await usersByName(store);
      assert.equal(users.get('alice')!.email, 'alice.archer@example.org');
      assert.equal(users.get('bob')!.status, 'disabled');
      const entry = await store.db.selectFrom('audit_log').select(['before_json', 'after_json']).where('actor', '=', 'ldap:corp').where('action', '=', 'user.update').executeTakeFirstOrThrow();
      assert.match(entry.before_json!, /alice@example\.org/);
      assert.match(entry.after_json!, /alice\.archer@example\.org/);
    });

    await t.test('a leaver is disabled at once and offboarded only after the grace period', async () => {
      slapd.modify(`dn: uid=carol,${PEOPLE}\nchangetype: delete\n`);
      const left = new Date();
      const first = await syncSource(store, secrets, 'corp', { by, now: () => left });
      assert.equal(first.counts.disable, 1);
      assert.ok(first.lines.some((l) => l.kind === 'disable' && l.name === 'carol' && l.detail === 'gone from the directory'));
      assert.equal((await usersByName(store)).get('carol')!.status, 'disabled');
      assert.deepEqual(await membersOf(store, 'engineering'), ['alice']);
      assert.deepEqual(await membersOf(store, 'platform'), [], 'a group is emptied, never deleted');

      const soon = await syncSource(store, secrets, 'corp', { by, now: () => new Date(left.getTime() + 6 * DAY) });
      assert.equal(soon.counts.offboard, undefined, 'not within the grace period');

      const later = await syncSource(store, secrets, 'corp', { by, now: () => new Date(left.getTime() + 7 * DAY + 1000) });
      assert.equal(later.counts.offboard, 1);
      assert.ok((await auditActions(store, 'ldap:corp')).includes('user.offboard'));
      const row = await store.db.selectFrom('ldap_users').select('offboarded_at').where('user_id', '=', (await usersByName(store)).get('carol')!.id).executeTakeFirstOrThrow();
      assert.ok(row.offboarded_at);
      const again = await syncSource(store, secrets, 'corp', { by, now: () => new Date(left.getTime() + 9 * DAY) });
      assert.equal(again.counts.offboard, undefined, 'offboarded once');
    });

    await t.test('LDAPS works with the source\'s CA; a certificate that CA did not sign is refused', async () => {
      await addTestSource(store, secrets, slapd, { url: slapd.ldapsUrl, startTls: false }, 'secure');
      const report = await syncSource(store, secrets, 'secure', { by, dryRun: true });
      assert.ok(report.lines.length > 0, 'read the directory over LDAPS');
      await addTestSource(store, secrets, slapd, { url: slapd.ldapsUrl, startTls: false, caPem: slapd.otherCaPem() }, 'spoofed');
      await assert.rejects(syncSource(store, secrets, 'spoofed', { by, dryRun: true }), /the sync of spoofed failed: .*(certificate|self.signed)/i);
      await addTestSource(store, secrets, slapd, { caPem: slapd.otherCaPem() }, 'spoofed-starttls');
      await assert.rejects(syncSource(store, secrets, 'spoofed-starttls', { by, dryRun: true }), /the sync of spoofed-starttls failed: .*(certificate|self.signed)/i);
    });

    await t.test('two syncs of one source never run at once: a held lease refuses the second', async () => {
      const source = await store.db.selectFrom('ldap_sources').select('id').where('name', '=', 'corp').executeTakeFirstOrThrow();
      assert.equal(await takeLease(store, source.id, 'another-node'), true);
      await assert.rejects(syncSource(store, secrets, 'corp', { by }), /already running/);
      await store.db.deleteFrom('ldap_sync_leases').execute();
    });

    await t.test('a wrong bind password fails the run, and the failure is recorded without it', async () => {
      await store.db.deleteFrom('ldap_sources').where('name', '=', 'bad').execute();
      const { addSource } = await import('../../src/protocols/ldap/sources.ts');
      const { settingsFor } = await import('./support.ts');
      await addSource(store, secrets, { name: 'bad', bindPassword: 'not-the-password', settings: settingsFor(slapd) }, by);
      await assert.rejects(syncSource(store, secrets, 'bad', { by }), /the sync of bad failed: the directory refused the bind \(invalid credentials\)/);
      const run = await store.db.selectFrom('ldap_sync_runs').innerJoin('ldap_sources', 'ldap_sources.id', 'ldap_sync_runs.source_id')
        .select(['ldap_sync_runs.error']).where('ldap_sources.name', '=', 'bad').executeTakeFirstOrThrow();
      assert.ok(run.error);
      const everything = JSON.stringify(await store.db.selectFrom('audit_log').selectAll().execute());
      assert.ok(!everything.includes('not-the-password') && !everything.includes('sync-account-password'), 'no bind password in the audit log');
    });
  });
}
