import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import type { Config } from '../../src/config/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { recordAudit } from '../../src/audit/append.ts';
import { entryHash } from '../../src/audit/entry.ts';
import { queueCheckpoint } from '../../src/monitor/outbox/checkpoints.ts';
import { startOutboxWorker } from '../../src/monitor/outbox/worker.ts';
import type { Store } from '../../src/store/store.ts';
import { checkpointKey } from '../../src/audit/checkpoints.ts';
import { verifyCheckpoints } from '../../src/audit/checkpoint-verify.ts';
import { startSyslogUdp, startWebhookReceiver, waitFor } from './listeners.ts';

/**
 * Someone with write access to the database rewrites an audit entry and
 * recomputes every hash after it: the chain verifies on its own, but not
 * against the signed checkpoints written outside the database.
 */
async function rewriteAndRecompute(store: Store, seq: number): Promise<void> {
  await store.db.updateTable('audit_log').set({ actor: 'user:someone-else' }).where('seq', '=', seq).execute();
  const rows = await store.db.selectFrom('audit_log').selectAll().where('seq', '>=', seq - 1).orderBy('seq').execute();
  let prev = rows[0]!.hash;
  for (const row of rows.slice(1)) {
    const { hash: _old, ...rest } = { ...row, seq: Number(row.seq), prev_hash: prev };
    prev = entryHash(rest);
    await store.db.updateTable('audit_log').set({ prev_hash: rest.prev_hash, hash: prev }).where('seq', '=', row.seq).execute();
  }
}

for (const engine of ENGINES) {
  test(`audit checkpoints on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
    const outside = mkdtempSync(join(tmpdir(), 'tessera-anchor-'));
    const file = join(outside, 'checkpoints.jsonl');
    const masterKey = randomBytes(32).toString('base64');
    t.after(async () => {
      await ts.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    });
    const config: Config = {
      dataDir, database: ts.database, issuer: 'http://127.0.0.1:3000', host: '127.0.0.1', port: 0, logLevel: 'silent',
      session: { idleSeconds: 3600, absoluteSeconds: 43200 }, trustProxy: false, masterKey,
      delivery: { routes: [], checkpoints: { intervalSeconds: 60, file, webhook: false, syslog: false } },
    };
    const ctx = { config, store: ts.store, logger: createLogger('silent') };
    const worker = startOutboxWorker(ctx, { pollMs: 3_600_000 });
    t.after(() => worker.stop());
    const env = { ...cliEnv(ts, dataDir), TESSERA_MASTER_KEY: masterKey };
    const verify = (...extra: string[]) => runCli(['audit', 'verify', '--checkpoints', file, ...extra], env);

    for (let i = 0; i < 3; i++) await recordAudit(ts.store, { actor: 'user:alice', action: 'test.change', target: `n:${i}` });
    const now = new Date();
    const first = await queueCheckpoint(ctx, now);
    assert.equal(first?.seq, 3);
    assert.equal((await queueCheckpoint(ctx, now))?.seq, 3);
    for (let i = 3; i < 5; i++) await recordAudit(ts.store, { actor: 'user:alice', action: 'test.change', target: `n:${i}` });
    await queueCheckpoint(ctx, new Date(now.getTime() + 61_000));
    await worker.drain();

    await t.test('one signed line per interval in the file outside the data directory', async () => {
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; sig: string });
      assert.deepEqual(lines.map((l) => l.seq), [3, 5], 'the second checkpoint of the same interval was not written');
      assert.match(lines[0]!.sig, /^[\w-]{86}$/);
      const key = await runCli(['audit', 'checkpoint-key'], env);
      assert.equal(key.code, 0, key.stderr);
      assert.match(key.stdout, new RegExp(`^key id ${(lines[0] as unknown as { key: string }).key}$`, 'm'));
      assert.match(key.stdout, /^-----BEGIN PUBLIC KEY-----$/m);
    });

    await t.test('the same checkpoint goes to the webhook and syslog when they are sinks, and verifies from there', async () => {
      const secret = 'checkpoint-webhook-secret-of-32-chars!!';
      const hook = await startWebhookReceiver(secret);
      const udp = await startSyslogUdp();
      const sinks = { ...config, delivery: {
        webhook: { url: `http://127.0.0.1:${hook.port}/`, secret }, syslog: { url: `udp://127.0.0.1:${udp.port}` }, routes: [],
        checkpoints: { intervalSeconds: 60, webhook: true, syslog: true },
      } };
      const other = { config: sinks, store: ts.store, logger: ctx.logger };
      const w = startOutboxWorker(other, { pollMs: 3_600_000 });
      try {
        await queueCheckpoint(other, new Date(now.getTime() + 600_000));
        await w.drain();
        await waitFor('the checkpoint', () => hook.received.length === 1 && udp.received.length === 1);
        const body = hook.received[0]!.body as { type: string; checkpoint: unknown };
        assert.equal(body.type, 'audit.checkpoint');
        const log = udp.received[0]!;
        assert.equal(log.msgId, 'audit.checkpoint');
        assert.equal(log.params.seq, '5');
        assert.deepEqual(JSON.parse(log.msg), body.checkpoint);
        const report = await verifyCheckpoints(ts.store.db, checkpointKey(config).publicKey, JSON.stringify(body.checkpoint));
        assert.deepEqual(report, { ok: true, checked: 1, problems: [] });
      } finally {
        await w.stop();
        await hook.close();
        await udp.close();
      }
    });

    await t.test('an untouched chain passes', async () => {
      const r = await verify();
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^OK: 5 entries, head [0-9a-f]{64}$/m);
      assert.match(r.stdout, /^OK: 2 checkpoints match the chain$/m);
    });

    await t.test('a rewritten and recomputed chain verifies alone but not against the checkpoints', async () => {
      await rewriteAndRecompute(ts.store, 2);
      const alone = await runCli(['audit', 'verify'], env);
      assert.equal(alone.code, 0, 'the recomputed chain is consistent in itself');
      const r = await verify();
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^CHECKPOINT MISMATCH: line 1 \(seq 3\): entry 3 has hash [0-9a-f]{16}… in the database but [0-9a-f]{16}… at \S+: the chain was rewritten$/m);
      assert.match(r.stdout, /^CHECKPOINT MISMATCH: line 2 \(seq 5\): .*the chain was rewritten$/m);
      const json = JSON.parse((await verify('--json')).stdout) as { chain: { ok: boolean }; checkpoints: { ok: boolean; problems: unknown[] } };
      assert.equal(json.chain.ok, true);
      assert.equal(json.checkpoints.ok, false);
      assert.equal(json.checkpoints.problems.length, 2);
    });

    await t.test('an altered checkpoint or a missing file is named plainly', async () => {
      const forged = join(outside, 'forged.jsonl');
      const line = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>;
      writeFileSync(forged, `${JSON.stringify({ ...line, hash: 'f'.repeat(64) })}\nnot json\n`);
      const r = await runCli(['audit', 'verify', '--checkpoints', forged], env);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^CHECKPOINT MISMATCH: line 1 \(seq 3\): the signature does not verify/m);
      assert.match(r.stdout, /^CHECKPOINT MISMATCH: line 2: not a JSON checkpoint$/m);
      const missing = await runCli(['audit', 'verify', '--checkpoints', join(outside, 'nope.jsonl')], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot read the checkpoint file .*nope\.jsonl: ENOENT/);
    });
  });
}
