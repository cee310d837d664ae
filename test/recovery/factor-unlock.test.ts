import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from '../foundation/support.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { recordFailure, HARD_LIMIT } from '../../src/methods/throttle/index.ts';
import type { MethodType } from '../../src/methods/method.ts';
import { addPerson } from './support.ts';

/** Someone guessing: the factor's consecutive failures reach the hard limit (locked until unlocked). */
async function guessUntilLocked(store: Store, userId: string, method: MethodType, failures = HARD_LIMIT): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  for (let i = 0; i < failures; i++) await recordFailure(store, { userId, method, now: past });
}

/** The helpdesk unlocks a factor locked by guessing: admin API (recovery:write, audited, shown on the user) and CLI twin. */
for (const engine of ENGINES) {
  test(`unlocking a locked factor through the admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const helpdesk = await s.token('helpdesk');
    const auditor = await s.token('auditor');
    const json = <T = Record<string, unknown>>(r: { body: string }) => JSON.parse(r.body) as T;
    const bob = await addPerson(s.ctx, 'bob');
    await guessUntilLocked(s.ctx.store, bob.id, 'totp');
    await guessUntilLocked(s.ctx.store, bob.id, 'password', 3);

    type Lock = { method: string; failures: number; permanent: boolean; blocked: boolean };
    const shown = json<{ factorLocks: Lock[] }>(await s.call('GET', '/api/admin/users/bob', { token: helpdesk }));
    assert.deepEqual(shown.factorLocks.map((l) => [l.method, l.failures, l.permanent, l.blocked]), [['password', 3, false, false], ['totp', 100, true, true]]);

    assert.equal((await s.call('POST', '/api/admin/users/bob/unlock', { token: auditor, body: { method: 'totp' } })).statusCode, 403);
    assert.equal((await s.call('POST', '/api/admin/users/nobody/unlock', { token: helpdesk, body: {} })).statusCode, 404);
    const bad = await s.call('POST', '/api/admin/users/bob/unlock', { token: helpdesk, body: { method: 'carrier-pigeon' } });
    assert.equal(bad.statusCode, 400);
    assert.match(json<{ message: string }>(bad).message, /method/);

    const one = await s.call('POST', '/api/admin/users/bob/unlock', { token: helpdesk, body: { method: 'totp' }, headers: { 'x-request-id': 'req-unlock' } });
    assert.equal(one.statusCode, 200, one.body);
    const out = json<{ unlocked: string[]; factorLocks: Lock[] }>(one);
    assert.deepEqual(out.unlocked, ['totp']);
    assert.deepEqual(out.factorLocks.map((l) => l.method), ['password'], 'only the named factor is cleared');
    const entry = await s.ctx.store.db.selectFrom('audit_log').selectAll().where('request_id', '=', 'req-unlock').executeTakeFirstOrThrow();
    assert.equal(entry.action, 'method.throttle.unlock');
    assert.equal(entry.target, `user:${bob.id}`);
    assert.match(entry.actor, /^token:/);
    assert.match(entry.before_json ?? '', /"failures":100/);

    const again = json<{ unlocked: string[] }>(await s.call('POST', '/api/admin/users/bob/unlock', { token: helpdesk, body: { method: 'totp' } }));
    assert.deepEqual(again.unlocked, [], 'nothing left to clear');
    const all = json<{ unlocked: string[]; factorLocks: Lock[] }>(await s.call('POST', `/api/admin/users/${bob.id}/unlock`, { token: helpdesk }));
    assert.deepEqual([all.unlocked, all.factorLocks], [['password'], []]);
    const spec = json<{ paths: Record<string, unknown> }>(await s.call('GET', '/api/openapi.json'));
    assert.ok(spec.paths['/api/admin/users/{id}/unlock'], 'documented in OpenAPI');
  });
}

test('tessera user unlock', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-unlock-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const ok = async (args: string[]) => {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `tessera ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    await ok(['user', 'create', 'bob']);
    const store = await openStore(db.database);
    try {
      const bob = await store.db.selectFrom('users').select('id').where('username', '=', 'bob').executeTakeFirstOrThrow();
      await guessUntilLocked(store, bob.id, 'totp');
    } finally {
      await store.close();
    }
    assert.match(await ok(['user', 'show', 'bob']), /failed tries\s+totp locked until unlocked \(100 failures\)/);
    const json = JSON.parse(await ok(['user', 'show', 'bob', '--json'])) as { factorLocks: Array<{ method: string; permanent: boolean }> };
    assert.deepEqual(json.factorLocks.map((l) => [l.method, l.permanent]), [['totp', true]]);
    const bad = await runCli(['user', 'unlock', 'bob', '--method', 'pigeon'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--method must be one of/);
    assert.match(await ok(['user', 'unlock', 'bob', '--method', 'totp']), /unlocked totp for bob/);
    assert.match(await ok(['user', 'unlock', 'bob']), /nothing to unlock for bob/);
    assert.match(await ok(['user', 'show', 'bob']), /failed tries\s+-/);
    assert.match(await ok(['audit', 'tail', '-n', '3']), /method\.throttle\.unlock/);
  })));
});
