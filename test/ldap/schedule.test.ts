import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, createTestDatabase } from '../support/engines.ts';
import { openStore } from '../../src/store/store.ts';
import { createLogger } from '../../src/app/logger.ts';
import { startLdapSchedule } from '../../src/protocols/ldap/schedule.ts';
import { getSource } from '../../src/protocols/ldap/sources.ts';
import { syncIfDue } from '../../src/protocols/ldap/sync.ts';
import { slapdSkip, startSlapd } from './slapd.ts';
import { addTestSource, newSecrets } from './support.ts';

/**
 * Every node runs the schedule over one database; each sync happens once.
 * Two stores on the same database stand for two nodes (on PostgreSQL).
 */
for (const engine of ENGINES) {
  test(`scheduled LDAP sync runs on one node at a time, on ${engine}`, { ...engineSkip(engine), ...slapdSkip() }, async (t) => {
    const slapd = await startSlapd();
    t.after(() => slapd.stop());
    const tdb = await createTestDatabase(engine);
    const a = await openStore(tdb.database);
    // node:sqlite is synchronous: two connections to one file in one process would wait on each other
    // with the event loop blocked. SQLite is one node, so there both "nodes" share the store; PostgreSQL gets two.
    const b = engine === 'postgres' ? await openStore(tdb.database) : a;
    t.after(async () => {
      await a.close();
      if (b !== a) await b.close();
      await tdb.drop();
    });
    const secrets = newSecrets();
    await addTestSource(a, secrets, slapd, { intervalMinutes: 1 });
    const runs = async () => (await a.db.selectFrom('ldap_sync_runs').select(['actor', 'dry_run']).execute()).map((r) => ({ ...r }));

    await t.test('two nodes ticking at once: one syncs, the other finds it done', async () => {
      const source = await getSource(a.db, 'corp');
      const [x, y] = await Promise.all([syncIfDue(a, secrets, source), syncIfDue(b, secrets, source)]);
      assert.equal([x, y].filter(Boolean).length, 1, 'exactly one ran');
      assert.equal((await runs()).length, 1);
      assert.equal(await syncIfDue(b, secrets, source, new Date(Date.now() + 30_000)), null, 'not due within the interval');
      const later = await syncIfDue(b, secrets, source, new Date(Date.now() + 61_000));
      assert.ok(later, 'due after the interval');
      assert.deepEqual(later.counts, {}, 'nothing changed in between');
      assert.deepEqual((await runs()).map((r) => r.actor), ['system', 'system']);
    });

    await t.test('the schedule itself, started on both nodes, syncs a due source once', async () => {
      await a.db.deleteFrom('ldap_sync_runs').execute();
      const logger = createLogger('silent');
      const one = startLdapSchedule({ store: a, secrets, logger }, 20);
      const two = startLdapSchedule({ store: b, secrets, logger }, 20);
      for (let i = 0; i < 100 && (await runs()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      await one.stop();
      await two.stop();
      assert.equal((await runs()).length, 1);
    });
  });
}
