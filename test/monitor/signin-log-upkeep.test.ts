import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { injectedServer } from '../foundation/support.ts';
import { writeSigninLog } from '../../src/monitor/signin-log.ts';
import { pruneSigninLog } from '../../src/monitor/signin-retention.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { loadConfig } from '../../src/config/config.ts';

const DAY = 86_400_000;

/**
 * The sign-in log's upkeep: rows past the retention are pruned (the audit log
 * and its chain are left as they are), and every row written is counted on
 * /metrics by methods, app and result.
 */
for (const engine of ENGINES) {
  test(`sign-in log retention and outcome metrics on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const db = s.ctx.store.db;
    const now = new Date();

    await t.test('rows older than the retention go; newer ones and the audit chain stay', async () => {
      for (const days of [500, 401, 399, 1]) {
        await writeSigninLog(db, { result: 'failure', reason: 'bad_password', username: `d${days}`, at: new Date(now.getTime() - days * DAY) });
      }
      await auditedChange(s.ctx.store, async (_trx, record) => record({ actor: 'test', action: 'user.update', target: 'user:x', after: { n: 1 } }));
      const before = await verifyAuditChain(s.ctx.store);
      assert.equal(await pruneSigninLog(db, 400, now), 2);
      const left = await db.selectFrom('signin_log').select('username').orderBy('username').execute();
      assert.deepEqual(left.map((r) => r.username).filter((u) => u?.startsWith('d')), ['d1', 'd399']);
      assert.equal(await pruneSigninLog(db, 400, now), 0, 'a second run finds nothing');
      const after = await verifyAuditChain(s.ctx.store);
      assert.ok(before.ok && after.ok);
      assert.equal(after.head, before.head, 'the audit log is untouched');
    });

    await t.test('sign-in outcomes are counted on /metrics', async () => {
      await writeSigninLog(db, { result: 'success', reason: 'ok', clientId: 'mail', methodsUsed: ['password', 'totp'] });
      await writeSigninLog(db, { result: 'failure', reason: 'bad_password', clientId: 'mail' });
      const r = await s.call('GET', '/metrics', { token: await s.token('auditor') });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /tessera_signins_total\{methods="password\+totp",app="mail",result="success"\} 1/);
      assert.match(r.body, /tessera_signins_total\{methods="none",app="mail",result="failure"\} 1/);
    });
  });
}

test('the retention is a setting: 400 days unless told, at least 30', () => {
  assert.equal(loadConfig({}).signinLogRetentionDays, 400);
  assert.equal(loadConfig({ TESSERA_SIGNIN_LOG_RETENTION_DAYS: '90' }).signinLogRetentionDays, 90);
  assert.throws(() => loadConfig({ TESSERA_SIGNIN_LOG_RETENTION_DAYS: '7' }), /RETENTION/);
});
