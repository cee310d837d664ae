import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { generateBackupCodes } from '../../src/methods/backup-codes/index.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';

const PASSWORD = 'violet tangerine lighthouse';

function totpFor(secret: string) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
}

for (const engine of ENGINES) {
  test(`portal sign-in through the pages on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const bob = await createUserWithPassword(ctx, 'bob', PASSWORD);
    const carol = await createUserWithPassword(ctx, 'carol', PASSWORD);
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    await importTotp(ctx, carol.id, { secretBase32: secret, actor: 'test' });

    await t.test('a password-only user signs in with the password and reaches the security page', async () => {
      const b = new Browserish(server.url);
      const { afterPassword } = await startPortalSignin(b, 'BOB', PASSWORD);
      assert.equal(afterPassword.status, 303);
      assert.equal(afterPassword.location, '/account');
      const account = await b.request('GET', '/account');
      assert.equal(account.status, 200);
      assert.match(account.body, /Signed in as <strong>bob<\/strong>/);
      const rows = await ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', bob.id).execute();
      assert.deepEqual(rows.map((r) => [r.result, r.reason]), [['success', 'ok']]);
    });

    await t.test('a user with TOTP must give a code; wrong codes count, the 11th attempt is locked', async () => {
      const b = new Browserish(server.url);
      const { path, csrf, afterPassword } = await startPortalSignin(b, 'carol', PASSWORD);
      assert.equal(afterPassword.location, path, 'back to the sign-in page: a second factor is needed');
      const page = await b.request('GET', path);
      assert.match(page.body, /autocomplete="one-time-code"/);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await b.request('POST', `${path}/totp`, { csrf, code: '000000' })).status);
      assert.ok(statuses.slice(0, 4).every((s) => s === 401), `first failures are plain: ${statuses}`);
      assert.equal(statuses[10], 429, 'locked by the 11th attempt');
      const good = await b.request('POST', `${path}/totp`, { csrf, code: totpFor(secret).generate() });
      assert.equal(good.status, 429, 'even a right code is refused while locked');
      const locked = await ctx.store.db.selectFrom('signin_log').select('reason').where('user_id', '=', carol.id).where('result', '=', 'locked').execute();
      assert.ok(locked.length >= 1, 'the lock is in the sign-in log');
    });

    await t.test('forms need the CSRF token, and a sign-in cannot be continued from another browser', async () => {
      const b = new Browserish(server.url);
      const start = await b.request('GET', '/signin');
      const path = start.location!;
      const csrf = hiddenCsrf((await b.request('GET', path)).body);
      assert.equal((await b.request('POST', `${path}/username`, { csrf: '0'.repeat(64), username: 'bob' })).status, 403);
      const other = new Browserish(server.url);
      const stolen = await other.request('POST', `${path}/username`, { csrf, username: 'bob' });
      assert.equal(stolen.status, 400);
      assert.match(stolen.body, /expired/);
    });

    await t.test('an unknown name costs the same time and gets the same answer as a wrong password', async () => {
      // Paired, interleaved samples after a warm-up pair, compared by median, which a few slow
      // samples cannot move. A busy machine can still skew one round, so up to three rounds are
      // measured: a real difference (a skipped hash) shows in every round, noise does not.
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const rounds: string[] = [];
      for (let round = 0; round < 3; round++) {
        const names = Array.from({ length: 16 }, (_, i) => `timing-${round}-${i}`);
        for (const n of names) await createUserWithPassword(ctx, n, PASSWORD);
        // Each round's failures stay under the per-address limit, which is tested elsewhere.
        await ctx.store.db.deleteFrom('ip_throttle').execute();
        const known: number[] = [];
        const unknown: number[] = [];
        const messages = new Set<string>();
        for (let i = 0; i < names.length; i++) {
          for (const [list, name] of [[known, names[i]!], [unknown, `ghost-${round}-${i}`]] as const) {
            const b = new Browserish(server.url);
            const start = await b.request('GET', '/signin');
            const path = start.location!;
            const csrf = hiddenCsrf((await b.request('GET', path)).body);
            await b.request('POST', `${path}/username`, { csrf, username: name });
            const t0 = performance.now();
            const res = await b.request('POST', `${path}/password`, { csrf, password: 'wrong password entirely' });
            list.push(performance.now() - t0);
            assert.equal(res.status, 401);
            messages.add(/role="alert"[^>]*>([^<]*)</.exec(res.body)?.[1] ?? '');
          }
        }
        assert.deepEqual([...messages], ['Incorrect username or password.'], 'one message for both');
        known.shift();
        unknown.shift();
        const ratio = median(unknown) / median(known);
        rounds.push(`${median(unknown).toFixed(1)} vs ${median(known).toFixed(1)} ms (${ratio.toFixed(2)})`);
        if (ratio > 0.8 && ratio < 1.2) return;
      }
      assert.fail(`unknown-user median vs known-user median differed by more than 20 % in every round: ${rounds.join('; ')}`);
    });

    await t.test('self-service changes need recent MFA; step-up asks only for the second factor', async () => {
      const dave = await createUserWithPassword(ctx, 'dave', PASSWORD);
      const daveSecret = new OTPAuth.Secret({ size: 20 }).base32;
      await importTotp(ctx, dave.id, { secretBase32: daveSecret, actor: 'test' });
      const d = new Browserish(server.url);
      const signin = await startPortalSignin(d, 'dave', PASSWORD);
      const done = await d.request('POST', `${signin.path}/totp`, { csrf: signin.csrf, code: totpFor(daveSecret).generate() });
      assert.equal(done.location, '/account');
      const me = JSON.parse((await d.request('GET', '/api/me')).body) as { csrf: string; session: { amr: string[] } };
      assert.deepEqual(me.session.amr, ['mfa', 'otp', 'pwd']);

      // Recent MFA: new backup codes are allowed and audited.
      const noCsrf = await d.request('POST', '/account/backup-codes', {});
      assert.equal(noCsrf.status, 403);
      const codes = await d.request('POST', '/account/backup-codes', { csrf: me.csrf });
      assert.equal(codes.status, 200);
      assert.equal((codes.body.match(/<li>[a-z0-9]{5}-[a-z0-9]{5}<\/li>/g) ?? []).length, 10);

      // Eleven minutes later the same change asks for the second factor again.
      await ctx.store.db.updateTable('idp_sessions').set({ mfa_at: new Date(Date.now() - 11 * 60_000).toISOString() }).where('user_id', '=', dave.id).execute();
      const stale = await d.request('GET', '/account/totp/new');
      assert.equal(stale.status, 303);
      assert.match(stale.location!, /^\/signin\?return_to=%2Faccount%2Ftotp%2Fnew&step_up=1$/);
      const stepUp = await d.request('GET', stale.location!);
      const stepPath = stepUp.location!;
      const stepPage = await d.request('GET', stepPath);
      assert.match(stepPage.body, /authenticator app/, 'only the code is asked, not the password');
      const stepCsrf = hiddenCsrf(stepPage.body);
      const verified = await d.request('POST', `${stepPath}/totp`, { csrf: stepCsrf, code: totpFor(daveSecret).generate({ timestamp: Date.now() + 30_000 }) });
      assert.equal(verified.location, '/account/totp/new');
      const enrol = await d.request('GET', '/account/totp/new');
      assert.equal(enrol.status, 200);
      assert.match(enrol.body, /id="totp-secret"/);
      const audit = await ctx.store.db.selectFrom('audit_log').select('action').where('target', '=', `user:${dave.id}`).execute();
      assert.ok(audit.some((a) => a.action.startsWith('method.backup_codes')), JSON.stringify(audit));
    });

    await t.test('a backup code signs in once; removing the authenticator is audited and shown', async () => {
      const ivan = await createUserWithPassword(ctx, 'ivan', PASSWORD);
      const ivanSecret = new OTPAuth.Secret({ size: 20 }).base32;
      const { credentialId } = await importTotp(ctx, ivan.id, { secretBase32: ivanSecret, actor: 'test' });
      const codes = await generateBackupCodes(ctx, ivan.id, { actor: 'test' });
      const b = new Browserish(server.url);
      const { path, csrf } = await startPortalSignin(b, 'ivan', PASSWORD);
      await b.request('POST', `${path}/choose`, { csrf, method: 'backup_code' });
      assert.match((await b.request('GET', path)).body, /Enter a backup code/);
      const ok = await b.request('POST', `${path}/backup-code`, { csrf, code: codes[0]!.toUpperCase() });
      assert.equal(ok.location, '/account');
      const again = new Browserish(server.url);
      const second = await startPortalSignin(again, 'ivan', PASSWORD);
      await again.request('POST', `${second.path}/choose`, { csrf: second.csrf, method: 'backup_code' });
      const reused = await again.request('POST', `${second.path}/backup-code`, { csrf: second.csrf, code: codes[0]! });
      assert.equal(reused.status, 401);
      assert.match(reused.body, /not valid or was already used/);

      // Signed in with MFA a moment ago: removing the authenticator is allowed, audited and listed.
      const me = JSON.parse((await b.request('GET', '/api/me')).body) as { csrf: string };
      const removed = await b.request('POST', `/account/methods/totp/${credentialId}/remove`, { csrf: me.csrf });
      assert.equal(removed.location, '/account?notice=removed');
      const page = await b.request('GET', '/account?notice=removed');
      assert.match(page.body, /Method removed/);
      assert.match(page.body, /Authenticator app removed by you/);
    });

    await t.test('an admin signs a user out everywhere through the API', async () => {
      const b = new Browserish(server.url);
      await startPortalSignin(b, 'bob', PASSWORD);
      assert.equal((await b.request('GET', '/api/me')).status, 200);
      const { token } = await createApiToken(ctx.store, { role: 'helpdesk', name: 'test' }, { actor: 'test' });
      const res = await fetch(`${server.url}/api/admin/users/bob/sessions/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'laptop stolen' }),
      });
      assert.equal(res.status, 403, 'helpdesk lacks users:write');
      const admin = await createApiToken(ctx.store, { role: 'global_admin', name: 'test-admin' }, { actor: 'test' });
      const ok = await fetch(`${server.url}/api/admin/users/bob/sessions/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'laptop stolen' }),
      });
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as { sessions: number };
      assert.ok(body.sessions >= 1);
      assert.equal((await b.request('GET', '/api/me')).status, 401);
    });
  });
}
