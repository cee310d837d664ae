import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { addGroupMember, createGroup, removeGroupMember } from '../../src/directory/groups.ts';
import { createDevice, updateDevice } from '../../src/directory/devices.ts';
import { issueDeviceToken } from '../../src/policy/store/device-binding.ts';
import { savePolicy, setPolicyState } from '../../src/policy/store/policies.ts';
import { addStage } from '../../src/policy/store/rollout.ts';

/** Conditional access in the real sign-in pages: enforced, report-only, blocked, and the roll-out campaign. */
const PASSWORD = 'violet tangerine lighthouse';
const by = { actor: 'user:admin' };

for (const engine of ENGINES) {
  test(`conditional access in the sign-in on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const store = ctx.store;
    const logOf = (userId: string) => store.db.selectFrom('signin_log').selectAll().where('user_id', '=', userId).orderBy('at').execute();

    const bob = await createUserWithPassword(ctx, 'bob', PASSWORD);
    await createGroup(store, { name: 'Wiki trial' }, by);
    await addGroupMember(store, 'Wiki trial', 'bob', by);

    await t.test('report-only policies never block, and their would-be result is kept with the log row', async () => {
      await savePolicy(store, { name: 'Trial: block the portal for Wiki trial', state: 'reportOnly', assignments: { groups: { include: ['Wiki trial'] }, apps: { include: ['tessera:portal'] } }, grant: { block: true } }, by);
      await savePolicy(store, { name: 'Trial: keys for Wiki trial', state: 'reportOnly', assignments: { groups: { include: ['Wiki trial'] } }, grant: { strength: 'phishing_resistant_mfa' } }, by);
      const b = new Browserish(server.url);
      const { afterPassword } = await startPortalSignin(b, 'bob', PASSWORD);
      assert.equal(afterPassword.location, '/account', 'signed in with the password alone');
      const [row] = await logOf(bob.id);
      assert.equal(row!.result, 'success');
      const reportOnly = JSON.parse(row!.report_only!) as Array<{ name: string; wouldBe: string }>;
      assert.deepEqual(reportOnly.map((r) => [r.name, r.wouldBe]).sort(), [
        ['Trial: block the portal for Wiki trial', 'block'],
        ['Trial: keys for Wiki trial', 'unsatisfied'],
      ]);
    });

    await t.test('an enforced block shows a clear page and is logged', async () => {
      await setPolicyState(store, 'Trial: block the portal for Wiki trial', 'enabled', by, { confirmLockout: 'bob is fine with it' });
      const b = new Browserish(server.url);
      const { afterPassword, path } = await startPortalSignin(b, 'bob', PASSWORD);
      assert.equal(afterPassword.status, 403);
      assert.match(afterPassword.body, /Access blocked/);
      assert.match(afterPassword.body, /Trial: block the portal for Wiki trial/);
      const again = await b.request('GET', path);
      assert.match(again.body, /Access blocked/, 'reloading keeps the refusal');
      assert.equal((await b.request('GET', '/account')).status !== 200 || !(await b.request('GET', '/account')).body.includes('Signed in as'), true, 'no session');
      const last = (await logOf(bob.id)).at(-1)!;
      assert.deepEqual([last.result, last.reason], ['failure', 'policy_blocked']);
      assert.match(last.report_only ?? '', /Trial: keys for Wiki trial/);
      await setPolicyState(store, 'Trial: block the portal for Wiki trial', 'disabled', by);
    });

    await t.test('an enforced policy makes a password-only user register and prove a second factor', async () => {
      const erin = await createUserWithPassword(ctx, 'erin', PASSWORD);
      await createGroup(store, { name: 'Finance' }, by);
      await addGroupMember(store, 'Finance', 'erin', by);
      await savePolicy(store, { name: 'MFA for Finance', state: 'enabled', assignments: { groups: { include: ['Finance'] } }, grant: { strength: 'mfa' } }, by);
      const b = new Browserish(server.url);
      const { afterPassword, path } = await startPortalSignin(b, 'erin', PASSWORD);
      assert.equal(afterPassword.location, path, 'a password alone is not enough any more');
      const page = await b.request('GET', path);
      assert.match(page.body, /id="totp-secret"/, 'the registration interrupt');
      const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.body)![1]!.replace(/\s/g, '');
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
      const done = await b.request('POST', `${path}/register-totp`, { csrf: hiddenCsrf(page.body), code: totp.generate() });
      assert.equal(done.location, '/account');
      const last = (await logOf(erin.id)).at(-1)!;
      assert.equal(last.result, 'success');
      assert.deepEqual(JSON.parse(last.methods_used), ['password', 'totp']);
    });

    await t.test('a "no persistent session" control makes the session cookie end with the browser', async () => {
      await createUserWithPassword(ctx, 'fay', PASSWORD);
      await createGroup(store, { name: 'Kiosk' }, by);
      await addGroupMember(store, 'Kiosk', 'fay', by);
      await savePolicy(store, { name: 'Kiosk sessions', state: 'enabled', assignments: { groups: { include: ['Kiosk'] } }, session: { persistentSession: false, signInFrequencyHours: 1 } }, by);
      const setCookiesAfterPassword = async (username: string) => {
        const b = new Browserish(server.url);
        const start = await b.request('GET', '/signin?return_to=/account');
        const path = start.location!;
        const csrf = hiddenCsrf((await b.request('GET', path)).body);
        await b.request('POST', `${path}/username`, { csrf, username });
        const res = await fetch(`${server.url}${path}/password`, {
          method: 'POST', redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
          body: new URLSearchParams({ csrf, password: PASSWORD }).toString(),
        });
        assert.equal(res.headers.get('location'), '/account');
        return res.headers.getSetCookie().filter((c) => !/max-age=0|expires=thu, 01 jan 1970/i.test(c));
      };
      const kiosk = await setCookiesAfterPassword('fay');
      assert.equal(kiosk.length, 1, kiosk.join(' | '));
      assert.doesNotMatch(kiosk[0]!, /max-age/i, 'a browser-session cookie');
      const normal = await setCookiesAfterPassword('bob');
      assert.match(normal.join(' '), /max-age=\d+/i);
    });

    await t.test('a compliant-device policy: refused from an unknown device, allowed from a managed one the MDM reports compliant', async () => {
      const gil = await createUserWithPassword(ctx, 'gil', PASSWORD);
      await createGroup(store, { name: 'Devices only' }, by);
      await addGroupMember(store, 'Devices only', 'gil', by);
      await savePolicy(store, { name: 'Portal from compliant devices', state: 'enabled', assignments: { groups: { include: ['Devices only'] }, apps: { include: ['tessera:portal'] } }, grant: { compliantDevice: true } }, by, { confirmLockout: 'gil gets a laptop today' });
      const unknown = await startPortalSignin(new Browserish(server.url), 'gil', PASSWORD);
      assert.equal(unknown.afterPassword.status, 403);
      assert.match(unknown.afterPassword.body, /device your organisation manages/);
      assert.equal((await logOf(gil.id)).at(-1)!.reason, 'policy_device_not_compliant');

      const device = await createDevice(store, { userId: gil.id, label: 'Laptop', managed: true }, by);
      const { token } = await issueDeviceToken(store, device.id, by);
      const notYet = new Browserish(server.url);
      notYet.cookies.set('tessera_device', token);
      assert.equal((await startPortalSignin(notYet, 'gil', PASSWORD)).afterPassword.status, 403, 'managed but not compliant yet');

      await updateDevice(store, device.id, { compliant: true }, { actor: 'token:mdm' });
      const compliant = new Browserish(server.url);
      compliant.cookies.set('tessera_device', token);
      assert.equal((await startPortalSignin(compliant, 'gil', PASSWORD)).afterPassword.location, '/account');

      // Someone else's device token does not make their own sign-in compliant.
      const other = new Browserish(server.url);
      other.cookies.set('tessera_device', token);
      await addGroupMember(store, 'Devices only', 'bob', by);
      assert.equal((await startPortalSignin(other, 'bob', PASSWORD)).afterPassword.status, 403);
      await removeGroupMember(store, 'Devices only', 'bob', by);
    });

    await t.test('the roll-out campaign prompts after a normal sign-in, snoozes, then requires registration', async () => {
      const dan = await createUserWithPassword(ctx, 'dan', PASSWORD);
      await createGroup(store, { name: 'Pilot' }, by);
      await addGroupMember(store, 'Pilot', 'dan', by);
      await addStage(store, { name: 'Pilot', groups: ['Pilot'], enforceAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), snoozeLimit: 1 }, by);

      const first = new Browserish(server.url);
      const one = await startPortalSignin(first, 'dan', PASSWORD);
      assert.equal(one.afterPassword.location, one.path, 'interrupted by the campaign');
      let page = await first.request('GET', one.path);
      assert.match(page.body, /Protect your account/);
      assert.match(page.body, /Not now \(1 more time\)/);
      const later = await first.request('POST', `${one.path}/campaign-later`, { csrf: hiddenCsrf(page.body) });
      assert.equal(later.location, '/account', 'snoozing finishes the sign-in');

      const second = new Browserish(server.url);
      const two = await startPortalSignin(second, 'dan', PASSWORD);
      page = await second.request('GET', two.path);
      assert.match(page.body, /id="campaign-required"/);
      assert.doesNotMatch(page.body, /campaign-later/);
      const refused = await second.request('POST', `${two.path}/campaign-later`, { csrf: hiddenCsrf(page.body) });
      assert.equal(refused.status, 400);
      assert.match(refused.body, /required now/);
      const register = await second.request('POST', `${two.path}/campaign-register`, { csrf: hiddenCsrf(page.body) });
      assert.equal(register.location, two.path);
      page = await second.request('GET', two.path);
      assert.match(page.body, /id="totp-secret"/, 'the registration step for the preferred method');
      const secret = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.body)![1]!.replace(/\s/g, '');
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
      const done = await second.request('POST', `${two.path}/register-totp`, { csrf: hiddenCsrf(page.body), code: totp.generate() });
      assert.equal(done.location, '/account', 'registered, signed in, and not asked again');
      const rows = await logOf(dan.id);
      assert.deepEqual(rows.map((r) => r.result), ['success', 'success']);
    });
  });
}
