import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { openStore } from './store.ts';
import { changeStamp } from './change-stamp.ts';
import { recordAudit } from '../audit/append.ts';

for (const engine of ENGINES) {
  test(`the change stamp on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    if (engine === 'postgres') {
      assert.equal(changeStamp(store.db), null, 'no cheap signal on a pool: the caller asks the database');
      return;
    }

    await t.test("stays put through this connection's own unaudited writes", async () => {
      const before = changeStamp(store.db);
      await sql`insert into store_info (name, value, updated_at) values ('stamp-test', '1', 'now') on conflict (name) do update set value = '2'`.execute(store.db);
      assert.equal(changeStamp(store.db), before);
    });

    await t.test('moves when an audited change starts here', async () => {
      const before = changeStamp(store.db);
      await recordAudit(store, { actor: 'test', action: 'test.touch' });
      assert.notEqual(changeStamp(store.db), before);
    });

    await t.test('moves when another connection commits anything', async () => {
      const other = await openStore(ts.database, { migrate: false });
      try {
        const before = changeStamp(store.db);
        await sql`delete from store_info where name = 'stamp-test'`.execute(other.db);
        assert.notEqual(changeStamp(store.db), before);
      } finally {
        await other.close();
      }
    });
  });
}
