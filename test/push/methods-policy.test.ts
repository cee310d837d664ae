import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, createTestDatabase, engineSkip } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from '../foundation/support.ts';
import { policyAllows, defaultPolicy } from '../../src/methods/policy/index.ts';
import { setUserRisk } from '../../src/methods/push/risk.ts';
import { createUserWithPassword } from '../support/fixtures.ts';

test('methods policy decisions: enabled, include and exclude groups, restricted methods not for admins by default', () => {
  const user = { isAdmin: false, groups: ['g1', 'Sales'] };
  const admin = { isAdmin: true, groups: [] };
  assert.equal(policyAllows(defaultPolicy('push'), user).allowed, true);
  assert.equal(policyAllows(defaultPolicy('sms'), user).allowed, true);
  assert.equal(policyAllows(defaultPolicy('sms'), admin).allowed, false, 'SMS is never for admins by default');
  assert.equal(policyAllows(defaultPolicy('voice'), admin).allowed, false);
  assert.equal(policyAllows({ ...defaultPolicy('totp'), enabled: false }, user).allowed, false);
  assert.equal(policyAllows({ ...defaultPolicy('totp'), includeGroups: ['Engineering'] }, user).allowed, false);
  assert.equal(policyAllows({ ...defaultPolicy('totp'), includeGroups: ['Sales'] }, user).allowed, true);
  assert.equal(policyAllows({ ...defaultPolicy('totp'), includeGroups: ['Sales'], excludeGroups: ['g1'] }, user).allowed, false);
});

for (const engine of ENGINES) {
  test(`methods policy admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const admin = await s.token('security_admin');
    const auditor = await s.token('auditor');
    const all = await s.call('GET', '/api/admin/methods/policy', { token: auditor });
    assert.equal(all.statusCode, 200);
    const body = JSON.parse(all.body) as Record<string, { enabled: boolean; allowAdmins: boolean }>;
    assert.equal(body.push!.enabled, true);
    assert.equal(body.sms!.allowAdmins, false);
    assert.equal((await s.call('PATCH', '/api/admin/methods/policy/push', { token: auditor, body: { enabled: false } })).statusCode, 403);
    const off = await s.call('PATCH', '/api/admin/methods/policy/push', { token: admin, body: { enabled: false, excludeGroups: ['contractors'] } });
    assert.equal(off.statusCode, 200, off.body);
    assert.deepEqual(JSON.parse(off.body), { enabled: false, includeGroups: [], excludeGroups: ['contractors'], allowAdmins: true });
    assert.equal((await s.call('PATCH', '/api/admin/methods/policy/password', { token: admin, body: { enabled: false } })).statusCode, 400);
    assert.equal((await s.call('PATCH', '/api/admin/methods/policy/push', { token: admin, body: { enabled: 'no' } })).statusCode, 400);
    const audit = await s.ctx.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'method.policy.update').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.target, 'method:push');
    const limits = await s.call('PATCH', '/api/admin/methods/push', { token: admin, body: { requestsPerWindow: 5 } });
    assert.equal(limits.statusCode, 200, limits.body);
    assert.equal((JSON.parse(limits.body) as { requestsPerWindow: number; windowMinutes: number }).requestsPerWindow, 5);
    assert.equal((await s.call('PATCH', '/api/admin/methods/push', { token: admin, body: { requestsPerWindow: 0 } })).statusCode, 400);

    // A push suspension is shown with the user's reported risk, and the helpdesk can lift it.
    const user = await createUserWithPassword(s.ctx, 'sus', 'violet tangerine lighthouse');
    const until = new Date(Date.now() + 600_000).toISOString();
    await s.ctx.store.db.insertInto('push_suspensions').values({ user_id: user.id, until, reason: 'repeated_denied_or_unanswered', created_at: new Date().toISOString() }).execute();
    await setUserRisk(s.ctx.store.db, user.id, 'high', 'push_reported_not_me');
    const state = JSON.parse((await s.call('GET', '/api/admin/users/sus/push-state', { token: auditor })).body) as { suspendedUntil: string; risk: { level: string } };
    assert.equal(state.suspendedUntil, until);
    assert.equal(state.risk.level, 'high');
    const helpdesk = await s.token('helpdesk');
    assert.equal((await s.call('DELETE', '/api/admin/users/sus/push-suspension', { token: helpdesk })).statusCode, 204);
    assert.equal((await s.call('DELETE', '/api/admin/users/sus/push-suspension', { token: helpdesk })).statusCode, 404);
    assert.ok(await s.ctx.store.db.selectFrom('audit_log').select('id').where('action', '=', 'method.push.unsuspend').executeTakeFirst());
  });

  test(`tessera methods show|set for the policy and push on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-methods-cli-'));
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
    assert.match(await ok(['methods', 'show', 'policy']), /sms\s+enabled\s+everyone; not for admins/);
    assert.match(await ok(['methods', 'set', 'sms', '--enabled', 'off']), /sms\s+disabled/);
    assert.match(await ok(['methods', 'set', 'totp', '--include-groups', 'staff,admins']), /only staff, admins/);
    assert.match(await ok(['methods', 'set', 'push', '--requests-per-window', '4', '--suspend-minutes', '60']), /at most 4 requests/);
    const push = JSON.parse(await ok(['methods', 'show', 'push', '--json'])) as { requestsPerWindow: number; suspendMinutes: number };
    assert.equal(push.requestsPerWindow, 4);
    assert.equal(push.suspendMinutes, 60);
    const bad = await runCli(['methods', 'set', 'sms', '--enabled', 'maybe'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--enabled must be on or off/);
    const none = await runCli(['methods', 'set', 'totp', '--suspend-minutes', '3'], env);
    assert.equal(none.code, 2);
    // The WebAuthn settings subcommand still answers as before.
    assert.match(await ok(['methods', 'show', 'webauthn']), /attestation/);
  });
}

for (const engine of ENGINES) {
  test(`an authenticator app disabled by policy cannot be used to sign in on ${engine}`, engineSkip(engine), async (t) => {
    const { startTestServer } = await import('../support/server.ts');
    const { startPortalSignin, Browserish } = await import('../support/http-client.ts');
    const { importTotp } = await import('../../src/methods/totp/manage.ts');
    const { setMethodPolicy } = await import('../../src/methods/policy/index.ts');
    const { createGroup } = await import('../../src/directory/groups.ts');
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const user = await createUserWithPassword(server.ctx, 'tia', 'violet tangerine lighthouse');
    await importTotp(server.ctx, user.id, { secretBase32: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', actor: 'test' });
    const first = await startPortalSignin(new Browserish(server.url), 'tia', 'violet tangerine lighthouse');
    assert.equal(first.afterPassword.location, first.path, 'TOTP is asked while allowed');
    await createGroup(server.ctx.store, { name: 'pilot' }, { actor: 'test' });
    await setMethodPolicy(server.ctx.store, 'totp', { includeGroups: ['pilot'] }, { actor: 'test' });
    const second = await startPortalSignin(new Browserish(server.url), 'tia', 'violet tangerine lighthouse');
    assert.equal(second.afterPassword.location, '/account', 'outside the included group TOTP no longer counts');
  });
}
