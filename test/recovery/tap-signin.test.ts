import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { approveTap, issueTap } from '../../src/recovery/tap/index.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { createDevice } from '../../src/directory/devices.ts';
import { bindMethodToDevice } from '../../src/recovery/devices/index.ts';
import { listAlerts } from '../../src/monitor/alerts.ts';
import { RECOVERY_HOLD_MESSAGE } from '../../src/recovery/holds.ts';
import { signInWithPass } from './signin.ts';

const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const by = { actor: 'test:helpdesk' };
const alertText = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1] ?? '';

/** Up to the pass page; returns the page path and the form token. */
async function atTapPage(b: Browserish, username: string) {
  const start = await b.request('GET', '/signin?return_to=%2Faccount');
  const path = start.location!;
  const csrf = hiddenCsrf((await b.request('GET', path)).body);
  await b.request('POST', `${path}/username`, { csrf, username });
  const passwordPage = (await b.request('GET', path)).body;
  await b.request('POST', `${path}/use-tap`, { csrf });
  return { path, csrf, passwordPage };
}

for (const engine of ENGINES) {
  test(`signing in with a Temporary Access Pass through the pages on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    await createUserWithPassword(ctx, 'helen', PASSWORD, ['helpdesk']);
    await createUserWithPassword(ctx, 'hugo', PASSWORD, ['helpdesk']);
    const bob = await createUserWithPassword(ctx, 'bob', PASSWORD);
    await createUserWithPassword(ctx, 'carol', PASSWORD);

    await t.test('the option is offered for every name; unknown names and wrong passes get one answer', async () => {
      await issueTap(ctx, { user: 'bob', operator: 'helen' }, by);
      const pages: string[] = [];
      const answers = new Map<string, { status: number; text: string; ms: number[] }>();
      // Eight rounds: all these failures come from one address, which may fail 50 times in 5 minutes.
      for (let i = 0; i < 8; i++) {
        for (const name of ['bob', 'carol', `ghost-${i}`]) {
          const b = new Browserish(server.url);
          const { path, csrf, passwordPage } = await atTapPage(b, name);
          if (i === 0) pages.push(passwordPage.replace(new RegExp(name, 'g'), 'NAME').replace(/[0-9a-f]{64}|\/signin\/[A-Za-z0-9_-]+/g, ''));
          const t0 = performance.now();
          const res = await b.request('POST', `${path}/tap`, { csrf, code: 'wrongpass234' });
          const key = name.startsWith('ghost') ? 'unknown' : name;
          const a = answers.get(key) ?? { status: res.status, text: alertText(res.body), ms: [] };
          a.ms.push(performance.now() - t0);
          answers.set(key, a);
        }
      }
      assert.equal(new Set(pages).size, 1, 'the password page is the same for known and unknown names');
      assert.match(pages[0]!, /Use a Temporary Access Pass/);
      const [withPass, noPass, unknown] = ['bob', 'carol', 'unknown'].map((k) => answers.get(k)!);
      for (const a of [withPass, noPass, unknown]) {
        assert.equal(a!.status, 401);
        assert.equal(a!.text, 'That Temporary Access Pass is not valid. Check it with your helpdesk.');
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const ratio = median(unknown!.ms) / median(withPass!.ms);
      assert.ok(ratio > 0.5 && ratio < 2, `unknown ${median(unknown!.ms).toFixed(1)} ms vs known ${median(withPass!.ms).toFixed(1)} ms`);
      const log = await ctx.store.db.selectFrom('signin_log').select('reason').where('username', 'like', 'ghost-%').execute();
      assert.ok(log.every((r) => r.reason === 'unknown_user'));
    });

    await t.test('a pass sent by 100 browsers at once signs in exactly one', async () => {
      const dan = await createUserWithPassword(ctx, 'dan', PASSWORD);
      const { pass } = await issueTap(ctx, { user: 'dan', operator: 'helen' }, by);
      const browsers = await Promise.all(Array.from({ length: 100 }, async () => {
        const b = new Browserish(server.url);
        return { b, ...(await atTapPage(b, 'dan')) };
      }));
      const results = await Promise.all(browsers.map(({ b, path, csrf }) => b.request('POST', `${path}/tap`, { csrf, code: pass })));
      const accepted = results.filter((r) => r.status === 303);
      assert.equal(accepted.length, 1, `statuses: ${[...new Set(results.map((r) => r.status))]}`);
      const redemptions = await ctx.store.db.selectFrom('tap_redemptions').select('id').where('user_id', '=', dan.id).execute();
      assert.equal(redemptions.length, 1);
    });

    await t.test('start time, approval and expiry are told only to the holder of the right pass', async () => {
      const erin = await createUserWithPassword(ctx, 'erin', PASSWORD);
      const later = await issueTap(ctx, { user: 'erin', operator: 'helen', startsAt: new Date(Date.now() + 3600_000).toISOString() }, by);
      const b = new Browserish(server.url);
      const { path, csrf } = await atTapPage(b, 'erin');
      const early = await b.request('POST', `${path}/tap`, { csrf, code: later.pass });
      assert.equal(early.status, 401);
      assert.match(alertText(early.body), /not valid yet/);
      await ctx.store.db.updateTable('temporary_access_passes').set({ expires_at: new Date(Date.now() - 1000).toISOString(), starts_at: new Date(Date.now() - 3600_000).toISOString() }).where('user_id', '=', erin.id).execute();
      const late = await b.request('POST', `${path}/tap`, { csrf, code: later.pass });
      assert.match(alertText(late.body), /expired/);

      const adam = await createUserWithPassword(ctx, 'adam', PASSWORD, ['security_admin']);
      const pending = await issueTap(ctx, { user: 'adam', operator: 'helen' }, by);
      const a = new Browserish(server.url);
      const at = await atTapPage(a, 'adam');
      const refused = await a.request('POST', `${at.path}/tap`, { csrf: at.csrf, code: pending.pass });
      assert.match(alertText(refused.body), /waiting for a second administrator/);
      await approveTap(ctx.store, pending.tap.id, 'hugo', by);
      const accepted = await a.request('POST', `${at.path}/tap`, { csrf: at.csrf, code: pending.pass });
      assert.equal(accepted.status, 303);
      // Straight on to registering a method (a security key where admins must be phishing-resistant).
      assert.match((await a.request('GET', at.path)).body, /Set up your authenticator app|security key|passkey/i);
      assert.ok(erin && bob);
    });

    await t.test('a lost phone reported on the self-service page: signed out, no way back with the password alone, back in with a pass', async () => {
      const fay = await createUserWithPassword(ctx, 'fay', PASSWORD);
      const phone = await createDevice(ctx.store, { userId: fay.id, label: 'Fay phone' }, by);
      const totp = await importTotp(ctx, fay.id, { secretBase32: SECRET, actor: 'test' });
      await bindMethodToDevice(ctx.store, { deviceId: phone.id, type: 'totp', credentialId: totp.credentialId }, by);
      const b = new Browserish(server.url);
      const { path, csrf } = await startPortalSignin(b, 'fay', PASSWORD);
      assert.equal((await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SECRET) })).location, '/account');
      const account = await b.request('GET', '/account');
      assert.match(account.body, /href="\/account\/devices"/);
      const devices = await b.request('GET', '/account/devices');
      assert.match(devices.body, /Fay phone/);
      assert.match(devices.body, /Report lost/);
      const me = JSON.parse((await b.request('GET', '/api/me')).body) as { csrf: string };
      assert.equal((await b.request('POST', `/account/devices/${phone.id}/lost`, {})).status, 403, 'the form needs its CSRF token');
      const reported = await b.request('POST', `/account/devices/${phone.id}/lost`, { csrf: me.csrf });
      assert.equal(reported.status, 200);
      assert.match(reported.body, /reported lost/);
      assert.equal((await b.request('GET', '/api/me')).status, 401);
      const [alert] = await listAlerts(ctx.store.db, { userId: fay.id });
      assert.equal(alert!.kind, 'device.lost');
      assert.equal(alert!.details.reportedBy, 'user');

      const again = new Browserish(server.url);
      const tryPassword = await startPortalSignin(again, 'fay', PASSWORD);
      assert.equal(tryPassword.afterPassword.status, 403);
      assert.equal(alertText(tryPassword.afterPassword.body), RECOVERY_HOLD_MESSAGE);

      const { pass } = await issueTap(ctx, { user: 'fay', operator: 'helen' }, by);
      await signInWithPass(server.url, 'fay', pass);
      const hold = await ctx.store.db.selectFrom('recovery_holds').select('user_id').where('user_id', '=', fay.id).execute();
      assert.equal(hold.length, 0, 'the hold is lifted by the sign-in with the pass');
    });

    await t.test('on the self-service page a person says which device holds a method (needs a recent second factor)', async () => {
      const gus = await createUserWithPassword(ctx, 'gus', PASSWORD);
      const phone = await createDevice(ctx.store, { userId: gus.id, label: 'Gus phone' }, by);
      const others = await createDevice(ctx.store, { userId: bob.id, label: 'Not yours' }, by);
      const totp = await importTotp(ctx, gus.id, { secretBase32: SECRET, label: 'Gus app', actor: 'test' });
      const b = new Browserish(server.url);
      const { path, csrf } = await startPortalSignin(b, 'gus', PASSWORD);
      await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SECRET, 1) });
      const page = await b.request('GET', '/account/devices');
      assert.match(page.body, new RegExp(`value="totp:${totp.credentialId}">Gus app<`));
      const me = JSON.parse((await b.request('GET', '/api/me')).body) as { csrf: string };
      const saved = await b.request('POST', `/account/devices/${phone.id}/methods`, { csrf: me.csrf, method: `totp:${totp.credentialId}` });
      assert.equal(saved.status, 200);
      assert.match(saved.body, /Saved/);
      const row = await ctx.store.db.selectFrom('audit_log').select('actor').where('action', '=', 'method.device.bind').where('target', '=', `user:${gus.id}`).executeTakeFirstOrThrow();
      assert.equal(row.actor, `user:${gus.id}`);
      const res = await fetch(`${server.url}/api/me/devices/${others.id}/methods`, {
        method: 'POST',
        headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json', 'x-csrf-token': me.csrf },
        body: JSON.stringify({ type: 'totp', credentialId: totp.credentialId }),
      });
      assert.equal(res.status, 404, 'not somebody else\'s device');
      await ctx.store.db.updateTable('idp_sessions').set({ mfa_at: new Date(Date.now() - 11 * 60_000).toISOString() }).where('user_id', '=', gus.id).execute();
      const stale = await b.request('POST', `/account/devices/${phone.id}/methods`, { csrf: me.csrf, method: `totp:${totp.credentialId}` });
      assert.equal(stale.status, 303);
      assert.match(stale.location!, /step_up=1/);
    });

    await t.test('every sign-in of a break-glass account raises a high alert', async () => {
      const glass = await createUserWithPassword(ctx, 'glass', PASSWORD);
      await ctx.store.db.updateTable('users').set({ kind: 'break_glass' }).where('id', '=', glass.id).execute();
      await importTotp(ctx, glass.id, { secretBase32: SECRET, actor: 'test' });
      const b = new Browserish(server.url);
      const { path, csrf } = await startPortalSignin(b, 'glass', PASSWORD);
      assert.equal((await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SECRET, 1) })).location, '/account');
      const alerts = await listAlerts(ctx.store.db, { kind: 'breakglass.signin' });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.severity, 'high');
      assert.equal(alerts[0]!.username, 'glass');
    });
  });
}
