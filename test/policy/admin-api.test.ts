import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { addPerson } from '../recovery/support.ts';
import { injectedServer } from '../foundation/support.ts';
import { policyJsonSchema } from '../../src/policy/document.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';

/** The conditional-access admin API through Fastify's inject, on both engines. */
for (const engine of ENGINES) {
  test(`policy admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const admin = await s.token('global_admin');
    // A second administrator approves exceptions the first one requests: a person, through the token they own.
    await addPerson(s.ctx, 'sofia', ['security_admin']);
    const security = (await createApiToken(s.ctx.store, { role: 'security_admin', name: 'second admin', owner: 'sofia' }, { actor: 'test' })).token;
    const auditor = await s.token('auditor');
    const call = s.call;
    const json = <T = Record<string, unknown>>(r: { body: string }) => JSON.parse(r.body) as T;

    await t.test('the JSON Schema is published and matches docs/policy.schema.json', async () => {
      const r = await call('GET', '/api/policy.schema.json');
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /schema\+json/);
      const published = json(r);
      assert.deepEqual(published, policyJsonSchema());
      const file = JSON.parse(readFileSync(new URL('../../docs/policy.schema.json', import.meta.url), 'utf8')) as unknown;
      assert.deepEqual(file, published, 'docs/policy.schema.json is up to date (regenerate with: tessera policy schema > docs/policy.schema.json)');
    });

    await t.test('list the default policies; auditors read, cannot write', async () => {
      const r = await call('GET', '/api/admin/policies', { token: auditor });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(json<{ items: Array<{ name: string }> }>(r).items.map((p) => p.name).sort(), ['Require MFA for admins', 'Require MFA for users with a second factor']);
      const w = await call('POST', '/api/admin/policies', { token: auditor, body: { name: 'x', grant: { block: true } } });
      assert.equal(w.statusCode, 403);
    });

    await t.test('create validates the document: a clear 400 with the reason', async () => {
      const bad = await call('POST', '/api/admin/policies', { token: admin, body: { name: 'x', assignments: { users: { include: 'all', exclude: ['bob'] } }, grant: { block: true } } });
      assert.equal(bad.statusCode, 400);
      const ok = await call('POST', '/api/admin/policies', {
        token: admin,
        body: { name: 'Block legacy VPN', state: 'reportOnly', assignments: { users: { include: 'all' } }, conditions: { clientTypes: ['radius'] }, grant: { block: true } },
      });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(json<{ policy: { state: string } }>(ok).policy.state, 'reportOnly');
    });

    await t.test('a change that locks everyone out is refused with 409', async () => {
      await call('POST', '/api/admin/users', { token: admin, body: { username: 'root', password: 'tangerine lighthouse orbit' } });
      await call('POST', '/api/admin/users/root/roles', { token: admin, body: { role: 'global_admin' } });
      const r = await call('PUT', '/api/admin/policies/Block%20legacy%20VPN/state', { token: admin, body: { state: 'enabled' } });
      assert.equal(r.statusCode, 200, 'a RADIUS-only block strands nobody on the portal');
      const all = await call('POST', '/api/admin/policies', { token: admin, body: { name: 'Block all', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { block: true } } });
      assert.equal(all.statusCode, 409);
      assert.match(json<{ message: string }>(all).message, /every global admin/);
    });

    await t.test('what-if: the decision and every policy\'s reason', async () => {
      const r = await call('POST', '/api/admin/policies/whatif', { token: auditor, body: { user: 'root', app: 'mail', ip: '198.51.100.4' } });
      assert.equal(r.statusCode, 200, r.body);
      const body = json<{ decision: { outcome: string; missingStrengths: string[]; policies: Array<{ name: string; reason: string }> } }>(r);
      assert.equal(body.decision.outcome, 'challenge');
      assert.deepEqual(body.decision.missingStrengths, ['mfa']);
      const reasons = Object.fromEntries(body.decision.policies.map((p) => [p.name, p.reason]));
      assert.equal(reasons['Require MFA for admins'], 'applied');
      assert.equal(reasons['Block legacy VPN'], 'client_type_not_included');
      const vpn = json<{ decision: { outcome: string } }>(await call('POST', '/api/admin/policies/whatif', { token: auditor, body: { user: 'root', clientType: 'radius', methodsUsed: ['password', 'totp'] } }));
      assert.equal(vpn.decision.outcome, 'block');
      assert.equal((await call('POST', '/api/admin/policies/whatif', { token: auditor, body: { user: 'nobody' } })).statusCode, 404);
    });

    await t.test('exceptions: request, self-approval refused, approval by another admin, listed as active', async () => {
      const req = await call('POST', '/api/admin/policy-exceptions', {
        token: admin,
        body: { policy: 'Require MFA for admins', user: 'root', endsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), reason: 'hardware token replacement in transit' },
      });
      assert.equal(req.statusCode, 201, req.body);
      const id = json<{ id: string }>(req).id;
      const self = await call('POST', `/api/admin/policy-exceptions/${id}/approve`, { token: admin });
      assert.equal(self.statusCode, 409);
      const ok = await call('POST', `/api/admin/policy-exceptions/${id}/approve`, { token: security });
      assert.equal(ok.statusCode, 200, ok.body);
      const active = json<{ items: Array<{ id: string; effective: string }> }>(await call('GET', '/api/admin/policy-exceptions?status=expiring', { token: auditor }));
      assert.deepEqual(active.items.map((e) => [e.id, e.effective]), [[id, 'active']]);
      const tooLong = await call('POST', '/api/admin/policy-exceptions', {
        token: admin, body: { policy: 'Require MFA for admins', user: 'root', endsAt: '2099-01-01', reason: 'forever is too long anyway' },
      });
      assert.equal(tooLong.statusCode, 400);
      assert.match(json<{ message: string }>(tooLong).message, /at most 30 days/);
    });

    await t.test('MDM reports compliance; export and import round-trip; lockout check', async () => {
      const root = json<{ items: Array<{ id: string }> }>(await call('GET', '/api/admin/users?search=root', { token: admin })).items[0]!;
      const dev = json<{ id: string }>(await call('POST', '/api/admin/devices', { token: admin, body: { userId: root.id, label: 'Laptop' } }));
      const c = await call('POST', `/api/admin/mdm/devices/${dev.id}/compliance`, { token: admin, body: { compliant: true } });
      assert.equal(c.statusCode, 200, c.body);
      assert.deepEqual([json<{ compliant: boolean; managed: boolean }>(c).compliant, json<{ managed: boolean }>(c).managed], [true, true]);
      const exported = json<{ policies: unknown[] }>(await call('GET', '/api/admin/policies/export', { token: auditor }));
      assert.equal(exported.policies.length, 3);
      const imp = await call('POST', '/api/admin/policies/import', { token: admin, body: exported });
      assert.equal(imp.statusCode, 200, imp.body);
      const check = await call('POST', '/api/admin/policies/lockout-check', { token: auditor });
      assert.equal(check.statusCode, 200);
      assert.deepEqual(json<{ strandedUsers: string[] }>(check).strandedUsers, []);
    });

    await t.test('roll-out: template and status', async () => {
      await call('POST', '/api/admin/groups', { token: admin, body: { name: 'Pilot' } });
      const r = await call('POST', '/api/admin/rollout/template', { token: admin, body: { pilotGroup: 'Pilot' } });
      assert.equal(r.statusCode, 201, r.body);
      const status = json<{ items: Array<{ name: string; total: number; registered: number }> }>(await call('GET', '/api/admin/rollout', { token: auditor }));
      assert.deepEqual(status.items.map((i) => i.name), ['Admins', 'Pilot']);
      assert.equal(status.items[0]!.total, 2, 'root and sofia');
    });
  });
}
