import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { WriteBatcher } from './write-batch.ts';
import type { Db, Tx } from './store.ts';

interface Row {
  id: string;
  payload: string;
}

/** One statement per row, in order; a refused row fails the whole batch, as a failing statement would. */
async function insertAll(db: Db | Tx, rows: readonly Row[]): Promise<void> {
  if (rows.some((r) => r.payload === 'refuse')) throw new Error('refused write');
  await db.transaction().execute(async (trx) => {
    for (const row of rows) await insert(trx, row);
  });
}

async function insert(db: Db | Tx, row: Row): Promise<void> {
  await db
    .insertInto('oidc_payloads')
    .values({ model: 'Test', id: row.id, payload: row.payload, account_id: null, grant_id: null, uid: null, user_code: null, expires_at: null, consumed_at: null })
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({ payload: row.payload }))
    .execute();
}

async function payloadOf(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'Test').where('id', '=', id).executeTakeFirst();
  return row?.payload;
}

for (const engine of ENGINES) {
  test(`group commit of small writes on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const db = ts.store.db;
    const batcher = new WriteBatcher(ts.store, insertAll);

    await t.test('writes submitted together are all committed before their promises settle', async () => {
      const rows = Array.from({ length: 25 }, (_, i) => ({ id: `r${i}`, payload: `p${i}` }));
      await Promise.all(rows.map((r) => batcher.submit(r)));
      for (const r of rows) assert.equal(await payloadOf(db, r.id), r.payload);
    });

    await t.test('writes to the same row in one batch apply in submission order', async () => {
      await Promise.all([batcher.submit({ id: 'same', payload: 'first' }), batcher.submit({ id: 'same', payload: 'second' })]);
      assert.equal(await payloadOf(db, 'same'), 'second');
    });

    await t.test('a failing write rejects only its own promise; its neighbours are committed', async () => {
      const results = await Promise.allSettled([
        batcher.submit({ id: 'n1', payload: 'one' }),
        batcher.submit({ id: 'bad', payload: 'refuse' }),
        batcher.submit({ id: 'n2', payload: 'two' }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.match(String((results[1] as PromiseRejectedResult).reason), /refused write/);
      assert.equal(await payloadOf(db, 'n1'), 'one');
      assert.equal(await payloadOf(db, 'n2'), 'two');
      assert.equal(await payloadOf(db, 'bad'), undefined);
    });

    await t.test('settled() waits for every write submitted before it', async () => {
      const pending = batcher.submit({ id: 'queued', payload: 'later' });
      await batcher.settled();
      assert.equal(await payloadOf(db, 'queued'), 'later');
      await pending;
      await batcher.settled(); // nothing queued: resolves at once
    });

    await t.test('a write on its own is committed too', async () => {
      await batcher.submit({ id: 'alone', payload: 'solo' });
      assert.equal(await payloadOf(db, 'alone'), 'solo');
    });
  });
}
