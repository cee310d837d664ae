/**
 * The PostgreSQL connection that prepares its statements (src/store/pg-client.ts):
 * a statement run twice is prepared once, a schema change under a prepared
 * "select *" is survived, and errors stay the errors they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { engineSkip, openTestStore } from '../support/engines.ts';
import type { Db } from '../../src/store/store.ts';

/** Runs fn on one connection of a fresh PostgreSQL store: prepared statements belong to a connection. */
async function onOneConnection(fn: (conn: Db) => Promise<void>): Promise<void> {
  const s = await openTestStore('postgres');
  try {
    await s.store.db.connection().execute(fn);
  } finally {
    await s.drop();
  }
}

async function prepared(db: Db, like: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where statement like ${like}`.execute(db);
  return rows.map((r) => r.name);
}

test('PostgreSQL statements are prepared once per connection and run by name', engineSkip('postgres'), async () => {
  // One connection, so the prepared statements seen are the ones it made.
  await onOneConnection(async (conn) => {
    for (let i = 0; i < 3; i++) {
      const row = await conn.selectFrom('users').select('id').where('id', '=', `nobody-${i}`).executeTakeFirst();
      assert.equal(row, undefined);
    }
    const names = await prepared(conn, 'select "id" from "users"%');
    assert.equal(names.length, 1, `one prepared statement for three runs: ${names.join(', ')}`);
    assert.match(names[0]!, /^tessera_/);
    // Transaction control runs as it is, around prepared statements.
    await conn.transaction().execute(async (trx) => trx.selectFrom('users').select('id').where('id', '=', 'x').execute());
    assert.deepEqual(await prepared(conn, 'begin%'), []);
  });
});

test('a table changed under a prepared select * is read again, not refused', engineSkip('postgres'), async () => {
  await onOneConnection(async (conn) => {
    await sql`create table prepared_probe (id text primary key)`.execute(conn);
    await sql`insert into prepared_probe values ('a')`.execute(conn);
    const read = () => conn.selectFrom('prepared_probe' as 'users').selectAll().where('id', '=', 'a').execute();
    assert.deepEqual(await read(), [{ id: 'a' }]);
    await read();
    await sql`alter table prepared_probe add column note text`.execute(conn);
    assert.deepEqual(await read(), [{ id: 'a', note: null }]);
    assert.deepEqual(await read(), [{ id: 'a', note: null }]);
  });
});

test('a failing prepared statement reports its own error, and the next run works', engineSkip('postgres'), async () => {
  await onOneConnection(async (conn) => {
    const bad = () => sql`select 1 / ${0}::int as x`.execute(conn);
    await assert.rejects(bad, /division by zero/);
    await assert.rejects(bad, /division by zero/);
    const { rows } = await sql<{ x: number }>`select ${2}::int as x`.execute(conn);
    assert.deepEqual(rows, [{ x: 2 }]);
  });
});
