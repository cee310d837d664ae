import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { raiseAlert } from '../../src/monitor/alerts.ts';
import { backoffMs, claimDue, markSent, pruneFinished } from '../../src/monitor/outbox/claim.ts';
import { enqueue } from '../../src/monitor/outbox/enqueue.ts';
import { startWebhookReceiver, waitFor } from './listeners.ts';
import { cliEnv, runCli } from '../foundation/support.ts';

/**
 * A receiver that fails is tried again with backoff; one that keeps failing
 * gets the delivery marked failed with the reason, listed by the admin API
 * and counted on /metrics.
 */
const SECRET = 'another-webhook-secret-of-32-characters!';

test('backoff doubles, is jittered in its upper half and capped', () => {
  const b = { baseMs: 1000, maxMs: 8000, maxAttempts: 10 };
  assert.equal(backoffMs(1, b, () => 0), 500);
  assert.equal(backoffMs(1, b, () => 1), 1000);
  assert.equal(backoffMs(3, b, () => 1), 4000);
  assert.equal(backoffMs(9, b, () => 1), 8000);
  assert.equal(backoffMs(9, b, () => 0), 4000);
});

for (const engine of ENGINES) {
  test(`retries and failures on ${engine}`, engineSkip(engine), async (t) => {
    let down = false;
    const hook = await startWebhookReceiver(SECRET, (n) => (down || n <= 2 ? 503 : 204));
    const server = await startTestServer(engine, {
      delivery: {
        webhook: { url: `http://127.0.0.1:${hook.port}/`, secret: SECRET },
        routes: [{ channel: 'webhook', minSeverity: 'low' }],
        worker: { pollMs: 50, backoff: { baseMs: 40, maxMs: 200, maxAttempts: 3 } },
      },
    });
    t.after(async () => {
      await server.close();
      await hook.close();
    });
    const token = (await createApiToken(server.ctx.store, { role: 'auditor', name: 'test auditor' }, { actor: 'test' })).token;
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, path);
      return res;
    };

    await t.test('two refusals, then the third attempt is delivered', async () => {
      await raiseAlert(server.ctx.store.db, { severity: 'medium', kind: 'test.flaky' });
      await waitFor('the delivery', () => hook.received.length === 1);
      assert.equal(hook.requests, 3);
      const { items } = (await (await get('/api/admin/deliveries?channel=webhook')).json()) as { items: Array<{ status: string; attempts: number; lastError: string | null }> };
      assert.equal(items[0]!.status, 'sent');
      assert.equal(items[0]!.attempts, 3);
    });

    await t.test('a receiver that stays down: failed after the last attempt, with the reason, listed and counted', async () => {
      down = true;
      const before = hook.requests;
      await raiseAlert(server.ctx.store.db, { severity: 'high', kind: 'test.down' });
      const failed = async () => ((await (await get('/api/admin/deliveries?status=failed')).json()) as { items: Array<{ channel: string; attempts: number; lastError: string }> }).items;
      const until = Date.now() + 10_000;
      while ((await failed()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const [row] = await failed();
      assert.ok(row, 'the delivery was marked failed');
      assert.equal(row.channel, 'webhook');
      assert.equal(row.attempts, 3);
      assert.equal(row.lastError, 'the webhook answered HTTP 503');
      assert.equal(hook.requests - before, 3, 'no attempt after the last');
      const metrics = await (await get('/metrics')).text();
      assert.match(metrics, /tessera_outbox_deliveries\{channel="webhook",status="failed"\} 1/);
      assert.match(metrics, /tessera_outbox_attempts_total\{channel="webhook",outcome="failed"\} 1/);
      assert.match(metrics, /tessera_outbox_attempts_total\{channel="webhook",outcome="retry"\} 4/);
      const cli = await runCli(['deliveries', '--status', 'failed', '--json'], cliEnv(server.testStore, server.ctx.config.dataDir));
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal((JSON.parse(cli.stdout) as Array<{ lastError: string }>)[0]!.lastError, 'the webhook answered HTTP 503');
      const table = await runCli(['deliveries', '--channel', 'webhook'], cliEnv(server.testStore, server.ctx.config.dataDir));
      assert.match(table.stdout, /^CREATEDAT +CHANNEL +STATUS/m);
      assert.match(table.stdout, /webhook +failed +3 .*the webhook answered HTTP 503/);
      assert.equal((await runCli(['deliveries', '--status', 'lost'], cliEnv(server.testStore, server.ctx.config.dataDir))).code, 2);
    });

    await t.test('a failed delivery is sent again on request, audited under the admin; only a failed one', async () => {
      const [failed] = ((await (await get('/api/admin/deliveries?status=failed')).json()) as { items: Array<{ id: string }> }).items;
      assert.ok(failed, 'the delivery given up on above');
      const retry = (id: string, bearer: string) => fetch(`${server.url}/api/admin/deliveries/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });
      assert.equal((await retry(failed.id, token)).status, 403, 'an auditor reads deliveries but does not send them');
      const admin = await createApiToken(server.ctx.store, { role: 'security_admin', name: 'retry admin' }, { actor: 'test' });
      down = false;
      const received = hook.received.length;
      const res = await retry(failed.id, admin.token);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { status: string; attempts: number; lastError: string };
      assert.equal(body.status, 'pending');
      assert.equal(body.attempts, 0);
      assert.equal(body.lastError, 'the webhook answered HTTP 503', 'the last reason stays until the next attempt');
      await waitFor('the delivery sent again', () => hook.received.length === received + 1);
      const row = () => server.ctx.store.db.selectFrom('outbox').select(['status', 'attempts', 'last_error']).where('id', '=', failed.id).executeTakeFirstOrThrow();
      for (let i = 0; i < 100 && (await row()).status !== 'sent'; i++) await new Promise((r) => setTimeout(r, 50));
      const sent = await row();
      assert.equal(sent.status, 'sent');
      assert.equal(Number(sent.attempts), 1);
      const entry = await server.ctx.store.db.selectFrom('audit_log').select(['actor', 'action']).where('target', '=', `delivery:${failed.id}`).executeTakeFirstOrThrow();
      assert.equal(entry.actor, `token:${admin.id}`);
      assert.equal(entry.action, 'delivery.retry');
      const again = await retry(failed.id, admin.token);
      assert.equal(again.status, 409);
      assert.match(((await again.json()) as { message: string }).message, /only a failed delivery can be sent again; this one is sent/);
      assert.equal((await retry('no-such-delivery', admin.token)).status, 404);

      // The same from the CLI, on a delivery failed for good. Sent again, it is pending or already sent: not retried twice.
      await enqueue(server.ctx.store.db, 'webhook', { document: { type: 'test', n: 2 } }, { key: 'cli-retry', notBefore: new Date(Date.now() + 3_600_000) });
      await server.ctx.store.db.updateTable('outbox').set({ status: 'failed', finished_at: new Date().toISOString(), last_error: 'the collector refused it' }).where('dedupe_key', '=', 'cli-retry').execute();
      const id = (await server.ctx.store.db.selectFrom('outbox').select('id').where('dedupe_key', '=', 'cli-retry').executeTakeFirstOrThrow()).id;
      const env = cliEnv(server.testStore, server.ctx.config.dataDir);
      const cli = await runCli(['deliveries', 'retry', id, '--json'], env);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal((JSON.parse(cli.stdout) as { status: string }).status, 'pending');
      const cliEntry = await server.ctx.store.db.selectFrom('audit_log').select('actor').where('target', '=', `delivery:${id}`).executeTakeFirstOrThrow();
      assert.match(cliEntry.actor, /^cli:/);
      const twice = await runCli(['deliveries', 'retry', id], env);
      assert.notEqual(twice.code, 0);
      assert.match(twice.stderr, /only a failed delivery can be sent again; this one is (pending|sent)/);
      assert.equal((await runCli(['deliveries', 'retry'], env)).code, 2);
    });

    await t.test('an alert and its delivery commit together, or not at all', async () => {
      const db = server.ctx.store.db;
      let id = '';
      await assert.rejects(db.transaction().execute(async (trx) => {
        id = (await raiseAlert(trx, { severity: 'critical', kind: 'test.rolled_back' })).id;
        throw new Error('the change failed');
      }), /the change failed/);
      assert.equal(await db.selectFrom('alerts').select('id').where('id', '=', id).executeTakeFirst(), undefined);
      assert.equal(await db.selectFrom('outbox').select('id').where('dedupe_key', '=', `alert:${id}`).executeTakeFirst(), undefined);
    });

    await t.test('a node that dies holding a row loses it when its lease runs out; another node sends it once', async () => {
      const db = server.ctx.store.db;
      down = false;
      const before = hook.received.length;
      await enqueue(db, 'webhook', { document: { type: 'test', n: 1 } }, { key: 'lease-test', notBefore: new Date(Date.now() + 3_600_000) });
      // The dead node claims the row with a short lease and never comes back. The row becomes due and
      // leased in one statement: made due first, the server's own worker could take it in between.
      const now = Date.now();
      await db.updateTable('outbox')
        .set((eb) => ({ due_at: new Date(now).toISOString(), lease_holder: 'dead-node', lease_expires_at: new Date(now + 300).toISOString(), attempts: eb('attempts', '+', 1) }))
        .where('dedupe_key', '=', 'lease-test').execute();
      const held = await db.selectFrom('outbox').selectAll().where('dedupe_key', '=', 'lease-test').executeTakeFirst();
      assert.ok(held?.lease_holder === 'dead-node', 'claimed by the dead node');
      assert.equal((await claimDue(db, 'another-node', 300, 100)).filter((r) => r.dedupe_key === 'lease-test').length, 0, 'a held row is not claimed twice');
      await waitFor('the takeover', () => hook.received.length === before + 1);
      assert.equal(await markSent(db, held, 'dead-node'), false, 'the dead node no longer holds it');
      // The listener has the webhook a moment before the sending node records it as sent.
      const leaseRow = () => db.selectFrom('outbox').select(['status', 'attempts']).where('dedupe_key', '=', 'lease-test').executeTakeFirstOrThrow();
      for (let i = 0; i < 100 && (await leaseRow()).status !== 'sent'; i++) await new Promise((r) => setTimeout(r, 50));
      const row = await leaseRow();
      assert.equal(row.status, 'sent');
      assert.equal(Number(row.attempts), 2);
    });

    await t.test('sent rows are kept a month, failed ones a quarter', async () => {
      const db = server.ctx.store.db;
      const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
      for (const [key, status, age] of [['old-sent', 'sent', 40], ['new-sent', 'sent', 5], ['old-failed', 'failed', 40], ['ancient-failed', 'failed', 100]] as const) {
        await enqueue(db, 'syslog', { level: 'info', msgid: 'x', params: {}, text: key }, { key, notBefore: new Date(Date.now() + 3_600_000) });
        await db.updateTable('outbox').set({ status, finished_at: daysAgo(age) }).where('dedupe_key', '=', key).execute();
      }
      await pruneFinished(db);
      const left = (await db.selectFrom('outbox').select('dedupe_key').where('dedupe_key', 'in', ['old-sent', 'new-sent', 'old-failed', 'ancient-failed']).execute()).map((r) => r.dedupe_key).sort();
      assert.deepEqual(left, ['new-sent', 'old-failed']);
    });

    await t.test('bad filters get a clear 400', async () => {
      const res = await fetch(`${server.url}/api/admin/deliveries?status=lost`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { message: string }).message, /^status: /);
    });
  });
}
