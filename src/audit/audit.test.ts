import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { auditedChange, recordAudit } from './append.ts';
import { verifyAuditChain } from './verify.ts';
import { REDACTED } from './redact.ts';

for (const engine of ENGINES) {
  test(`audit chain on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;

    await t.test('an empty log verifies', async () => {
      assert.deepEqual(await verifyAuditChain(store), { ok: true, entries: 0, head: '0'.repeat(64) });
    });

    await t.test('entries chain and secrets are redacted', async () => {
      for (let i = 0; i < 5; i++) {
        await recordAudit(store, {
          actor: 'system',
          action: 'test.event',
          target: `user:${i}`,
          after: { name: `n${i}`, password: 'hunter2hunter2', nested: { totp_seed: 'ABC' } },
        });
      }
      const rows = await store.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      assert.equal(rows.length, 5);
      assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
      assert.ok(!rows[0]!.after_json!.includes('hunter2'));
      assert.deepEqual(JSON.parse(rows[0]!.after_json!), { name: 'n0', nested: { totp_seed: REDACTED }, password: REDACTED });
      const res = await verifyAuditChain(store);
      assert.equal(res.ok, true);
      assert.equal(res.entries, 5);
    });

    await t.test('a failed change leaves no entry', async () => {
      await assert.rejects(
        auditedChange(store, async (_trx, record) => {
          await record({ actor: 'system', action: 'test.rollback' });
          throw new Error('boom');
        }),
        /boom/,
      );
      const n = await store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 5);
    });

    await t.test('tampering with a stored entry is found and named', async () => {
      const third = await store.db.selectFrom('audit_log').select(['id']).where('seq', '=', 3).executeTakeFirstOrThrow();
      await sql`update audit_log set actor = 'mallory' where seq = 3`.execute(store.db);
      const res = await verifyAuditChain(store);
      assert.equal(res.ok, false);
      if (!res.ok) {
        assert.equal(res.broken.seq, 3);
        assert.equal(res.broken.id, third.id);
        assert.match(res.broken.reason, /altered/);
      }
    });
  });
}
