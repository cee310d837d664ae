import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';

/**
 * Start-up skips the migrator when the database has applied exactly the
 * migrations the code has (src/store/migrate.ts); anything else still goes
 * through it, so a database with a migration this code does not know is refused.
 */
for (const engine of ENGINES) {
  test(`an up-to-date database skips the migrator; an unknown applied migration is still refused, on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    assert.deepEqual(await migrateToLatest(ts.store), [], 'nothing to apply after openStore migrated');
    await sql`insert into schema_migrations (name, timestamp) values ('9999_from_a_newer_version', ${new Date().toISOString()})`.execute(ts.store.db);
    await assert.rejects(migrateToLatest(ts.store), /database migration failed|missing|corrupted/i);
  });
}
