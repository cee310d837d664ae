import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { issueSetupTokenIfNeeded } from '../../src/directory/first-admin.ts';
import { describeUser } from '../../src/directory/user-details.ts';
import { verifyPassword } from '../../src/methods/password/hash.ts';
import { setWebauthnSettings } from '../../src/methods/webauthn/settings.ts';
import { injectedServer } from './support.ts';

const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

for (const engine of ENGINES) {
  test(`server smoke on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const { app } = s;

    await t.test('health, metrics and security headers', async () => {
      const health = await app.inject('/healthz');
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
      for (const [name, value] of Object.entries({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      })) {
        assert.equal(health.headers[name], value, name);
      }
      assert.match(String(health.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.ok(health.headers['x-request-id']);
      const ready = await app.inject('/readyz');
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().store, engine);
      // Not public: an admin API token (or a listener of its own, test/foundation/metrics.test.ts).
      const metrics = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${await s.token('auditor')}` } });
      assert.equal(metrics.statusCode, 200);
      assert.match(String(metrics.headers['content-type']), /^text\/plain/);
      assert.match(metrics.body, /# TYPE tessera_http_request_duration_seconds histogram/);
      assert.match(metrics.body, /tessera_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
      const api = await app.inject('/api/admin/users');
      assert.equal(api.headers['cache-control'], 'no-store');
      assert.equal(api.headers['x-frame-options'], 'DENY');
    });

    let token = '';
    await t.test('first run: a set-up token is issued and audited', async () => {
      const issued = await issueSetupTokenIfNeeded(s.ctx.store);
      assert.ok(issued);
      token = issued.token;
      assert.match(token, /^tsetup_/);
      const entry = await s.ctx.store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(entry.action, 'setup.token_issued');
      // The secret is everything after the id, and base64url may itself contain '_'.
      assert.ok(!JSON.stringify(entry).includes(token.split('_').slice(2).join('_')));
    });

    await t.test('GET /setup shows the form for a valid token, 400 for a bad one', async () => {
      const good = await app.inject(`/setup?token=${encodeURIComponent(token)}`);
      assert.equal(good.statusCode, 200);
      assert.match(good.body, /<form method="post" action="\/setup">/);
      assert.match(good.body, /Create the first administrator/);
      for (const bad of ['tsetup_nope', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), '']) {
        const r = await app.inject(`/setup?token=${encodeURIComponent(bad)}`);
        assert.equal(r.statusCode, 400, bad);
        assert.match(r.body, /cannot be used/);
      }
    });

    await t.test('the set-up page says, before the account exists, that the admin needs a passkey or a security key', async () => {
      const text = (body: string) => body.replace(/<[^>]+>/g, ' ').replace(/&ldquo;|&rdquo;/g, '"').replace(/\s+/g, ' ');
      const body = text((await app.inject(`/setup?token=${encodeURIComponent(token)}`)).body);
      assert.match(body, /Before you start: you need a passkey or a security key/);
      assert.match(body, /An authenticator app or a text message is not enough for an admin/);
      assert.match(body, /If you have neither, you can still create the account now/);
      assert.match(body, /"Set up a security key or passkey"/, 'names the page the sign-in will stop at');
      assert.ok(body.indexOf('passkey') < body.indexOf('Password again'), 'said before the form, not after it');
      assert.match(body, /add a second key or passkey on your security page, and make a second administrator/);
      // Turned off before set-up (an operator's choice): the page then promises any second factor.
      await setWebauthnSettings(s.ctx.store, { adminsRequirePhishingResistant: false }, { actor: 'test' });
      const off = text((await app.inject(`/setup?token=${encodeURIComponent(token)}`)).body);
      assert.match(off, /an authenticator app, a passkey or a security key/);
      assert.doesNotMatch(off, /you need a passkey/);
      // Back to the shipped default (switching it on is refused while no admin has a key, so the test undoes its row).
      await s.ctx.store.db.deleteFrom('method_settings').where('method', '=', 'webauthn').execute();
    });

    const fields = (overrides: Record<string, string> = {}) => ({
      token,
      username: 'root-admin',
      email: 'admin@example.com',
      display_name: 'The Admin',
      password: 'tangerine lighthouse orbit',
      password_confirm: 'tangerine lighthouse orbit',
      ...overrides,
    });

    await t.test('POST /setup refuses a weak password and a bad token, keeping the token usable', async () => {
      const weak = await app.inject({ method: 'POST', url: '/setup', ...form(fields({ password: 'short', password_confirm: 'short' })) });
      assert.equal(weak.statusCode, 400);
      assert.match(weak.body, /at least 15 characters/);
      const bad = await app.inject({ method: 'POST', url: '/setup', ...form(fields({ token: 'tsetup_forged' })) });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /not valid/);
      assert.equal((await app.inject(`/setup?token=${encodeURIComponent(token)}`)).statusCode, 200);
    });

    await t.test('POST /setup creates the first global admin, audited; the token then stops working', async () => {
      const r = await app.inject({ method: 'POST', url: '/setup', ...form(fields()) });
      assert.equal(r.statusCode, 200, r.body);
      assert.match(r.body, /root-admin is now a global admin/);
      assert.match(r.body, /Have your passkey or security key ready/);
      const admin = await describeUser(s.ctx.store.db, 'root-admin');
      assert.deepEqual(admin.roles.map((g) => g.role), ['global_admin']);
      const cred = await s.ctx.store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', admin.id).executeTakeFirstOrThrow();
      assert.ok(await verifyPassword(cred.hash, 'tangerine lighthouse orbit'));
      const actions = (await s.ctx.store.db.selectFrom('audit_log').select(['action', 'actor']).orderBy('seq').execute()).map((e) => e.action);
      assert.deepEqual(actions.slice(-3), ['user.create', 'method.password.set', 'role.grant']);

      const reuse = await app.inject({ method: 'POST', url: '/setup', ...form(fields({ username: 'second-admin' })) });
      assert.equal(reuse.statusCode, 400);
      assert.match(reuse.body, /already been used/);
      assert.equal((await app.inject(`/setup?token=${encodeURIComponent(token)}`)).statusCode, 400);
      assert.equal(await issueSetupTokenIfNeeded(s.ctx.store), null, 'no new link once an admin exists');
    });

    await t.test('/readyz answers 503 once the store is closed', async () => {
      await s.ctx.store.close();
      const r = await app.inject('/readyz');
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().status, 'unavailable');
      assert.equal((await app.inject('/healthz')).statusCode, 200, 'liveness does not depend on the store');
    });
  });
}
