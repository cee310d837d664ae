import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { injectedServer } from '../foundation/support.ts';
import { addPerson } from './support.ts';

/** The recovery part of the admin API: permissions, four-eyes across two tokens, clear 4xx, the OpenAPI document. */
for (const engine of ENGINES) {
  test(`recovery admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const json = <T = Record<string, unknown>>(r: { body: string }) => JSON.parse(r.body) as T;
    await addPerson(s.ctx, 'helen', ['helpdesk']);
    await addPerson(s.ctx, 'hugo', ['helpdesk']);
    // Tokens act as the person who owns them in four-eyes steps.
    const helpdesk = await s.token('helpdesk', 'helen');
    const helenAgain = await s.token('helpdesk', 'helen');
    const helpdesk2 = await s.token('helpdesk', 'hugo');
    const auditor = await s.token('auditor');
    const security = await s.token('security_admin');
    await addPerson(s.ctx, 'amy', ['global_admin']);
    const bob = await addPerson(s.ctx, 'bob');

    await t.test('issuing needs recovery:write and a named person; bad input answers 400 with the reason', async () => {
      assert.equal((await s.call('POST', '/api/admin/taps', { token: auditor, body: { user: 'bob', operator: 'helen' } })).statusCode, 403);
      // A token from before owners has nobody behind it: it names the person acting.
      const missing = await s.call('POST', '/api/admin/taps', { token: await s.token('helpdesk'), body: { user: 'bob' } });
      assert.equal(missing.statusCode, 400);
      assert.match(json<{ message: string }>(missing).message, /operator/);
      const short = await s.call('POST', '/api/admin/taps', { token: helpdesk, body: { user: 'bob', operator: 'helen', lifetimeMinutes: 5 } });
      assert.equal(short.statusCode, 400);
      assert.match(json<{ message: string }>(short).message, /between 10 and 480 minutes/);
      const self = await s.call('POST', '/api/admin/taps', { token: helpdesk, body: { user: 'helen', operator: 'helen' } });
      assert.equal(self.statusCode, 409);
      assert.match(json<{ message: string }>(self).message, /themselves/);
      assert.equal((await s.call('POST', '/api/admin/taps', { token: helpdesk, body: { user: 'nobody', operator: 'helen' } })).statusCode, 404);
      const ok = await s.call('POST', '/api/admin/taps', { token: helpdesk, body: { user: 'bob', operator: 'helen', length: 16 } });
      assert.equal(ok.statusCode, 201);
      const issued = json<{ pass: string; tap: { state: string } }>(ok);
      assert.equal(issued.pass.length, 16);
      assert.equal(issued.tap.state, 'active');
      const listed = await s.call('GET', '/api/admin/users/bob/taps', { token: helpdesk });
      assert.ok(!listed.body.includes(issued.pass), 'the pass is never shown again');
      const revoked = await s.call('POST', '/api/admin/users/bob/taps/revoke', { token: helpdesk, body: { reason: 'not needed' } });
      assert.equal(json<{ revoked: { state: string } }>(revoked).revoked.state, 'revoked');
      assert.ok(bob);
    });

    await t.test('four-eyes: the approving person uses their own token, and a token acts as its owner', async () => {
      const created = json<{ tap: { id: string; state: string } }>(await s.call('POST', '/api/admin/taps', { token: helpdesk, body: { user: 'amy' } }));
      assert.equal(created.tap.state, 'pending_approval');
      const named = await s.call('POST', `/api/admin/taps/${created.tap.id}/approve`, { token: helpdesk, body: { approver: 'hugo' } });
      assert.equal(named.statusCode, 403, 'a token cannot name someone else as the approver');
      assert.match(json<{ message: string }>(named).message, /act as yourself/);
      const otherToken = await s.call('POST', `/api/admin/taps/${created.tap.id}/approve`, { token: helenAgain, body: {} });
      assert.equal(otherToken.statusCode, 409, 'the issuer holding a second token is still the issuer');
      assert.match(json<{ message: string }>(otherToken).message, /different person from the issuer/);
      const ownerless = await s.call('POST', `/api/admin/taps/${created.tap.id}/approve`, { token: await s.token('helpdesk'), body: { approver: 'hugo' } });
      assert.equal(ownerless.statusCode, 403, 'a token nobody answers for approves nothing');
      const approved = await s.call('POST', `/api/admin/taps/${created.tap.id}/approve`, { token: helpdesk2, body: {} });
      assert.equal(approved.statusCode, 200);
      assert.equal(json<{ state: string }>(approved).state, 'active');
    });

    await t.test('the TAP policy is the security admin\'s, alerts and break-glass are readable, offboarding needs users:write', async () => {
      assert.equal((await s.call('PATCH', '/api/admin/tap-policy', { token: helpdesk, body: { allowMultiUse: true } })).statusCode, 403);
      const bad = await s.call('PATCH', '/api/admin/tap-policy', { token: security, body: { maxLifetimeMinutes: 50_000 } });
      assert.equal(bad.statusCode, 400);
      const set = await s.call('PATCH', '/api/admin/tap-policy', { token: security, body: { allowMultiUse: true, defaultLifetimeMinutes: 30 } });
      assert.equal(json<{ allowMultiUse: boolean }>(set).allowMultiUse, true);
      assert.equal(json<{ defaultLifetimeMinutes: number }>(await s.call('GET', '/api/admin/tap-policy', { token: auditor })).defaultLifetimeMinutes, 30);
      assert.equal((await s.call('GET', '/api/admin/alerts', { token: auditor })).statusCode, 200);
      assert.equal((await s.call('GET', '/api/admin/breakglass', { token: helpdesk })).statusCode, 200);
      assert.equal((await s.call('POST', '/api/admin/users/bob/offboard', { token: helpdesk, body: {} })).statusCode, 403);
      const device = json<{ id: string }>(await s.call('POST', '/api/admin/devices', { token: helpdesk, body: { userId: 'bob', label: 'Bob phone' } }));
      const lost = await s.call('POST', `/api/admin/devices/${device.id}/lost`, { token: helpdesk, body: { note: 'left in a taxi' } });
      assert.equal(lost.statusCode, 200);
      const alerts = json<{ items: Array<{ kind: string; details: Record<string, unknown> }> }>(await s.call('GET', '/api/admin/alerts?kind=device.lost', { token: auditor }));
      assert.equal(alerts.items.length, 1);
      assert.equal(alerts.items[0]!.details.note, 'left in a taxi');
      const caseBad = await s.call('POST', '/api/admin/cases', { token: helpdesk, body: { user: 'bob', scenario: 'stolen_laptop' } });
      assert.equal(caseBad.statusCode, 400);
    });

    await t.test('every recovery operation is in the OpenAPI document', async () => {
      const doc = json<{ paths: Record<string, Record<string, { operationId: string }>> }>(await s.call('GET', '/api/openapi.json'));
      const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
      for (const id of ['createTap', 'approveTap', 'revokeTap', 'listUserTaps', 'getTapPolicy', 'updateTapPolicy', 'openCase', 'recordCaseStep', 'getCase', 'listCases', 'cancelCase', 'listAlerts', 'acknowledgeAlert', 'breakGlassReport', 'recordBreakGlassTest', 'reportDeviceLost', 'retireDevice', 'replaceDevice', 'bindDeviceMethod', 'listDeviceMethods', 'offboardUser']) {
        assert.ok(ids.includes(id), id);
      }
    });
  });
}
