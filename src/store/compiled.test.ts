import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { compiled, first } from './compiled.ts';

const insertRow = compiled((db, id: string, payload: string, expiresAt: string | null) =>
  db.insertInto('oidc_payloads').values({ model: 'Test', id, payload, account_id: null, grant_id: null, uid: null, user_code: null, expires_at: expiresAt, consumed_at: null })
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({ payload, expires_at: expiresAt })),
);
const rowById = compiled((db, id: string) => db.selectFrom('oidc_payloads').select(['payload', 'expires_at']).where('model', '=', 'Test').where('id', '=', id));
const found = async (db: Parameters<typeof rowById>[0], id: string) => {
  const row = await first(rowById(db, id));
  return row && { ...row };
};

for (const engine of ENGINES) {
  test(`a compiled query runs with each call's values, the constants kept, inside and outside transactions, on ${engine}`, engineSkip(engine), async (t) => {
    const { store, close } = await openTestStore(engine);
    t.after(close);
    await insertRow(store.db, 'a', 'first', null);
    await insertRow(store.db, 'b', 'second', '2030-01-01T00:00:00.000Z');
    await store.db.transaction().execute((trx) => insertRow(trx, 'a', 'again', '2031-01-01T00:00:00.000Z'));
    assert.deepEqual(await found(store.db, 'a'), { payload: 'again', expires_at: '2031-01-01T00:00:00.000Z' });
    assert.deepEqual(await found(store.db, 'b'), { payload: 'second', expires_at: '2030-01-01T00:00:00.000Z' });
    assert.equal(await found(store.db, 'c'), undefined);
    // A value that looks like SQL is only ever a value.
    await insertRow(store.db, "x'); drop table users; --", 'odd', null);
    assert.equal((await found(store.db, "x'); drop table users; --"))?.payload, 'odd');
    assert.ok(await store.db.selectFrom('users').select('id').execute());
  });

  test(`a query that does not use an argument as a plain value is refused on its first call, on ${engine}`, engineSkip(engine), async (t) => {
    const { store, close } = await openTestStore(engine);
    t.after(close);
    const lower = compiled((db, id: string) => db.selectFrom('oidc_payloads').select('payload').where('id', '=', id.toLowerCase()));
    const unused = compiled((db, _id: string) => db.selectFrom('oidc_payloads').select('payload').where('id', '=', 'fixed'));
    await assert.rejects(lower(store.db, 'A'), /argument 0 is not a plain parameter/);
    await assert.rejects(unused(store.db, 'A'), /argument 0 is not a plain parameter/);
  });
}
