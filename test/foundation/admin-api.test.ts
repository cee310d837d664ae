import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { injectedServer } from './support.ts';

/** The admin API through Fastify's inject, on both engines: auth, validation, CRUD, audit. */
for (const engine of ENGINES) {
  test(`admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const admin = await s.token('global_admin');
    const auditor = await s.token('auditor');
    const helpdesk = await s.token('helpdesk');
    const call = s.call;
    const json = <T = Record<string, unknown>>(r: { body: string }) => JSON.parse(r.body) as T;
    const lastEntry = async () =>
      s.ctx.store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();

    await t.test('401 without a token or with a bad one', async () => {
      const none = await call('GET', '/api/admin/users');
      assert.equal(none.statusCode, 401);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="tessera"');
      assert.match(json<{ message: string }>(none).message, /Authorization: Bearer/);
      for (const bad of [admin.slice(0, -2) + 'xx', 'tsk_garbage', `${admin} extra`]) {
        const r = await call('GET', '/api/admin/users', { token: bad });
        assert.equal(r.statusCode, 401, bad);
        assert.match(String(r.headers['www-authenticate']), /invalid_token/);
      }
      assert.equal((await call('GET', '/api/admin/users', { headers: { authorization: `Basic ${admin}` } })).statusCode, 401);
    });

    await t.test('403 without the permission', async () => {
      const r = await call('POST', '/api/admin/users', { token: auditor, body: { username: 'x' } });
      assert.equal(r.statusCode, 403);
      assert.match(json<{ message: string }>(r).message, /users:write.*auditor/);
      assert.equal((await call('GET', '/api/admin/tokens', { token: helpdesk })).statusCode, 403);
      assert.equal((await call('GET', '/api/admin/users', { token: auditor })).statusCode, 200);
      assert.equal((await call('GET', '/api/admin/audit', { token: helpdesk })).statusCode, 403);
    });

    let aliceId = '';
    await t.test('users: create, duplicate, show, list, update, disable, enable, password, delete', async () => {
      const created = await call('POST', '/api/admin/users', {
        token: admin,
        body: { username: 'alice', email: 'alice@example.com', displayName: 'Alice', password: 'tangerine lighthouse orbit' },
        headers: { 'x-request-id': 'req-create-alice' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const alice = json<{ id: string; username: string; status: string }>(created);
      aliceId = alice.id;
      assert.equal(alice.status, 'active');
      assert.ok(!('password' in alice));
      const entries = await s.ctx.store.db.selectFrom('audit_log').selectAll().where('request_id', '=', 'req-create-alice').orderBy('seq').execute();
      assert.deepEqual(entries.map((e) => e.action), ['user.create', 'method.password.set']);
      assert.ok(entries.every((e) => e.actor.startsWith('token:')));

      assert.equal((await call('POST', '/api/admin/users', { token: admin, body: { username: 'ALICE' } })).statusCode, 409);
      const shown = await call('GET', `/api/admin/users/${aliceId}`, { token: auditor });
      assert.equal(shown.statusCode, 200);
      assert.deepEqual(json<{ roles: unknown[]; groups: unknown[]; hasPassword: boolean }>(shown).hasPassword, true);
      assert.equal(json<{ id: string }>(await call('GET', '/api/admin/users/Alice', { token: auditor })).id, aliceId);
      assert.equal((await call('GET', '/api/admin/users/nobody', { token: admin })).statusCode, 404);

      await call('POST', '/api/admin/users', { token: admin, body: { username: 'svc', kind: 'service' } });
      const list = json<{ items: Array<{ username: string }> }>(await call('GET', '/api/admin/users?kind=service', { token: admin }));
      assert.deepEqual(list.items.map((u) => u.username), ['svc']);

      const patched = await call('PATCH', `/api/admin/users/${aliceId}`, { token: admin, body: { displayName: 'Alice L.' } });
      assert.equal(json<{ displayName: string }>(patched).displayName, 'Alice L.');
      assert.equal((await lastEntry()).action, 'user.update');

      assert.equal(json<{ status: string }>(await call('POST', '/api/admin/users/svc/disable', { token: admin })).status, 'disabled');
      assert.equal((await lastEntry()).action, 'user.disable');
      assert.equal(json<{ status: string }>(await call('POST', '/api/admin/users/svc/enable', { token: admin })).status, 'active');

      const pw = await call('PUT', '/api/admin/users/svc/password', { token: admin, body: { password: 'another fine passphrase' } });
      assert.equal(pw.statusCode, 204);
      // The reset is followed, in the same transaction, by signing the user out everywhere.
      const reset = await s.ctx.store.db.selectFrom('audit_log').select('action').orderBy('seq', 'desc').limit(2).execute();
      assert.deepEqual(reset.map((e) => e.action), ['session.revoke_all', 'method.password.set']);

      assert.equal((await call('DELETE', '/api/admin/users/svc', { token: admin })).statusCode, 204);
      assert.equal((await call('GET', '/api/admin/users/svc', { token: admin })).statusCode, 404);
    });

    await t.test('400 with a reason on bad input', async () => {
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['POST', '/api/admin/users', { username: 'bad name!' }, /^username: .*letters, digits/],
        ['POST', '/api/admin/users', { username: 'bob', email: 'nope' }, /^email: must be an email address/],
        ['POST', '/api/admin/users', { username: 'bob', isAdmin: true }, /isAdmin/],
        ['POST', '/api/admin/users', { username: 'bob', password: 'too short' }, /password must be at least 15 characters/],
        ['POST', '/api/admin/users', undefined, /expected object/],
        ['PATCH', '/api/admin/users/alice', { kind: 'robot' }, /^kind: /],
        ['POST', '/api/admin/devices', { userId: 'alice' }, /^label: /],
        ['POST', '/api/admin/tokens', { role: 'emperor' }, /^role: /],
      ];
      for (const [method, url, body, reason] of cases) {
        const r = await call(method, url, { token: admin, body });
        assert.equal(r.statusCode, 400, `${method} ${url} ${JSON.stringify(body)}: ${r.body}`);
        assert.match(json<{ message: string }>(r).message, reason);
      }
      const q = await call('GET', '/api/admin/users?limit=0', { token: admin });
      assert.equal(q.statusCode, 400);
      assert.match(json<{ message: string }>(q).message, /^limit: /);
      assert.equal((await call('GET', '/api/admin/users?status=zombie', { token: admin })).statusCode, 400);
    });

    await t.test('roles: definitions, grant, last-admin refusal, revoke', async () => {
      const roles = json<{ items: Array<{ name: string; permissions: string[] }> }>(await call('GET', '/api/admin/roles', { token: auditor }));
      assert.deepEqual(roles.items.map((r) => r.name), ['global_admin', 'security_admin', 'helpdesk', 'auditor', 'provisioning']);
      const grant = await call('POST', `/api/admin/users/${aliceId}/roles`, { token: admin, body: { role: 'global_admin' } });
      assert.equal(grant.statusCode, 201);
      assert.equal((await lastEntry()).action, 'role.grant');
      assert.equal((await call('POST', `/api/admin/users/${aliceId}/roles`, { token: admin, body: { role: 'global_admin' } })).statusCode, 409);
      const refused = await call('POST', `/api/admin/users/${aliceId}/disable`, { token: admin });
      assert.equal(refused.statusCode, 409);
      assert.match(json<{ message: string }>(refused).message, /last active global admin/);
      assert.equal((await call('DELETE', `/api/admin/users/${aliceId}/roles/global_admin`, { token: admin })).statusCode, 409);
      const holders = json<{ items: Array<{ username: string }> }>(await call('GET', '/api/admin/roles/global_admin/holders', { token: admin }));
      assert.deepEqual(holders.items.map((u) => u.username), ['alice']);
      await call('POST', `/api/admin/users/${aliceId}/roles`, { token: admin, body: { role: 'auditor' } });
      assert.equal((await call('DELETE', `/api/admin/users/${aliceId}/roles/auditor`, { token: admin })).statusCode, 204);
      assert.equal((await call('DELETE', `/api/admin/users/${aliceId}/roles/auditor`, { token: admin })).statusCode, 404);
      assert.equal((await call('POST', `/api/admin/users/${aliceId}/roles`, { token: helpdesk, body: { role: 'auditor' } })).statusCode, 403);
    });

    await t.test('groups: create, members, show, delete', async () => {
      const g = await call('POST', '/api/admin/groups', { token: admin, body: { name: 'Finance' } });
      assert.equal(g.statusCode, 201);
      const groupId = json<{ id: string }>(g).id;
      assert.equal((await call('POST', '/api/admin/groups', { token: admin, body: { name: 'finance' } })).statusCode, 409);
      assert.equal((await call('POST', `/api/admin/groups/${groupId}/members`, { token: admin, body: { userId: 'alice' } })).statusCode, 204);
      assert.equal((await lastEntry()).action, 'group.member.add');
      assert.equal((await call('POST', `/api/admin/groups/${groupId}/members`, { token: admin, body: { userId: 'alice' } })).statusCode, 409);
      assert.equal((await call('POST', `/api/admin/groups/${groupId}/members`, { token: admin, body: { userId: 'ghost' } })).statusCode, 404);
      const shown = json<{ members: Array<{ username: string }> }>(await call('GET', '/api/admin/groups/finance', { token: helpdesk }));
      assert.deepEqual(shown.members.map((m) => m.username), ['alice']);
      const list = json<{ items: Array<{ name: string; memberCount: number }> }>(await call('GET', '/api/admin/groups', { token: admin }));
      assert.deepEqual(list.items.map((x) => [x.name, x.memberCount]), [['Finance', 1]]);
      assert.equal((await call('DELETE', `/api/admin/groups/${groupId}/members/alice`, { token: admin })).statusCode, 204);
      assert.equal((await call('DELETE', `/api/admin/groups/${groupId}/members/alice`, { token: admin })).statusCode, 404);
      assert.equal((await call('DELETE', `/api/admin/groups/${groupId}`, { token: admin })).statusCode, 204);
      assert.equal((await call('GET', `/api/admin/groups/${groupId}`, { token: admin })).statusCode, 404);
    });

    await t.test('devices: create, list, show, status and compliance', async () => {
      const d = await call('POST', '/api/admin/devices', { token: helpdesk, body: { userId: aliceId, label: 'Laptop', platform: 'windows', managed: true } });
      assert.equal(d.statusCode, 201, d.body);
      const device = json<{ id: string; compliant: boolean; managed: boolean }>(d);
      assert.deepEqual([device.managed, device.compliant], [true, false]);
      const patched = await call('PATCH', `/api/admin/devices/${device.id}`, { token: helpdesk, body: { compliant: true, status: 'lost' } });
      assert.equal(patched.statusCode, 200);
      assert.deepEqual(
        (({ status, compliant }) => ({ status, compliant }))(json<{ status: string; compliant: boolean }>(patched)),
        { status: 'lost', compliant: true },
      );
      // Reported lost through PATCH too, it is the full lifecycle event: the owner is signed out everywhere.
      const lostEntries = await s.ctx.store.db.selectFrom('audit_log').select('action').where('target', '=', `device:${device.id}`).execute();
      assert.ok(lostEntries.some((e) => e.action === 'device.lost'), JSON.stringify(lostEntries));
      assert.equal((await lastEntry()).action, 'session.revoke_all');
      assert.equal(json<{ status: string }>(await call('GET', `/api/admin/devices/${device.id}`, { token: auditor })).status, 'lost');
      const list = json<{ items: unknown[] }>(await call('GET', '/api/admin/devices?userId=alice&status=lost', { token: auditor }));
      assert.equal(list.items.length, 1);
      assert.equal((await call('GET', '/api/admin/devices/00000000-0000-0000-0000-000000000000', { token: admin })).statusCode, 404);
      assert.equal((await call('POST', '/api/admin/devices', { token: admin, body: { userId: 'ghost', label: 'x' } })).statusCode, 404);
      assert.equal((await call('PATCH', `/api/admin/devices/${device.id}`, { token: auditor, body: { compliant: false } })).statusCode, 403);
    });

    await t.test('tokens: created over the API work once shown, can be listed and revoked', async () => {
      const r = await call('POST', '/api/admin/tokens', { token: admin, body: { role: 'helpdesk', name: 'desk', owner: 'alice', expiresInDays: 30 } });
      assert.equal(r.statusCode, 201);
      const issued = json<{ id: string; token: string; expiresAt: string }>(r);
      assert.match(issued.token, /^tsk_/);
      assert.ok(issued.expiresAt);
      assert.equal((await call('GET', '/api/admin/users', { token: issued.token })).statusCode, 200);
      const listed = await call('GET', '/api/admin/tokens', { token: admin });
      assert.ok(!listed.body.includes(issued.token.slice(-43)));
      assert.ok(json<{ items: Array<{ id: string }> }>(listed).items.some((x) => x.id === issued.id));
      assert.equal((await call('DELETE', `/api/admin/tokens/${issued.id}`, { token: admin })).statusCode, 204);
      assert.equal((await lastEntry()).action, 'token.revoke');
      assert.equal((await call('GET', '/api/admin/users', { token: issued.token })).statusCode, 401);
      assert.equal((await call('DELETE', `/api/admin/tokens/${issued.id}`, { token: admin })).statusCode, 409);
      assert.equal((await call('DELETE', '/api/admin/tokens/nope', { token: admin })).statusCode, 404);
    });

    await t.test('audit: read and verify over the API; the chain holds', async () => {
      const entries = json<{ items: Array<{ action: string; actor: string }> }>(await call('GET', '/api/admin/audit?limit=2', { token: auditor }));
      assert.equal(entries.items.length, 2);
      assert.equal(entries.items[0]!.action, 'token.revoke');
      const verify = json<{ ok: boolean; entries: number }>(await call('GET', '/api/admin/audit/verify', { token: auditor }));
      assert.equal(verify.ok, true);
      assert.deepEqual(await verifyAuditChain(s.ctx.store), { ok: true, entries: verify.entries, head: (await lastEntry()).hash });
      const all = await s.ctx.store.db.selectFrom('audit_log').selectAll().execute();
      assert.ok(all.every((e) => !`${e.before_json}${e.after_json}`.includes('tsk_')), 'no token in the audit log');
    });
  });
}
