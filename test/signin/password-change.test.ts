import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { registerPasswordOwner } from '../../src/directory/password-source.ts';

const PASSWORD = 'violet tangerine lighthouse';
const NEW_PASSWORD = 'quiet harbour under copper skies';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const alert = (body: string) => /role="alert">([^<]*)</.exec(body)?.[1] ?? '';

/** Password, then the authenticator code: a session with a fresh second factor. */
async function signIn(base: string, username: string, password: string, step: number): Promise<Browserish> {
  const b = new Browserish(base);
  const { path, csrf, afterPassword } = await startPortalSignin(b, username, password);
  assert.equal(afterPassword.location, path, 'a second factor is asked');
  const done = await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SEED, step) });
  assert.equal(done.location, '/account', done.body.slice(0, 300));
  return b;
}

for (const engine of ENGINES) {
  test(`a person changes their own password on the account page on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const ann = await createUserWithPassword(ctx, 'ann', PASSWORD);
    await importTotp(ctx, ann.id, { secretBase32: SEED, actor: 'test' });
    const me = await signIn(server.url, 'ann', PASSWORD, 0);
    const elsewhere = await signIn(server.url, 'ann', PASSWORD, 1);
    const form = async () => {
      const res = await me.request('GET', '/account/password');
      assert.equal(res.status, 200, res.body.slice(0, 300));
      return hiddenCsrf(res.body);
    };

    await t.test('the account page links to it; the form needs the page token', async () => {
      assert.match((await me.request('GET', '/account')).body, /href="\/account\/password"/);
      const res = await me.request('POST', '/account/password', { current: PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.equal(res.status, 403);
    });

    await t.test('a wrong current password, two different new ones, or one the rules refuse: a plain reason, nothing changed', async () => {
      const csrf = await form();
      const wrong = await me.request('POST', '/account/password', { csrf, current: 'not my password at all', next: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.deepEqual([wrong.status, alert(wrong.body)], [400, 'Your current password is not right.']);
      const failures = await ctx.store.db.selectFrom('method_throttle').select('failures').where('user_id', '=', ann.id).where('method', '=', 'password').executeTakeFirst();
      assert.equal(failures?.failures, 1, 'the wrong current password counted like a failed sign-in');
      const differ = await me.request('POST', '/account/password', { csrf, current: PASSWORD, next: NEW_PASSWORD, confirm: `${NEW_PASSWORD}!` });
      assert.deepEqual([differ.status, alert(differ.body)], [400, 'The two new passwords are not the same.']);
      const weak = await me.request('POST', '/account/password', { csrf, current: PASSWORD, next: 'password1234', confirm: 'password1234' });
      assert.equal(weak.status, 400);
      assert.match(alert(weak.body), /^This password .*common/);
      const named = await me.request('POST', '/account/password', { csrf, current: PASSWORD, next: 'ann is my name forever', confirm: 'ann is my name forever' });
      assert.match(alert(named.body), /must not contain your username/);
      const log = await ctx.store.db.selectFrom('audit_log').select('action').where('target', '=', `user:${ann.id}`).where('action', 'like', 'method.password.%').execute();
      assert.equal(log.length, 0);
    });

    await t.test('without a second factor in the last ten minutes the person verifies first', async () => {
      await ctx.store.db.updateTable('idp_sessions').set({ mfa_at: new Date(Date.now() - 20 * 60_000).toISOString() }).where('user_id', '=', ann.id).execute();
      const res = await me.request('GET', '/account/password');
      assert.equal(res.status, 303);
      assert.match(res.location!, /^\/signin\?return_to=%2Faccount%2Fpassword&step_up=1/);
      await ctx.store.db.updateTable('idp_sessions').set({ mfa_at: new Date().toISOString() }).where('user_id', '=', ann.id).execute();
    });

    await t.test('changed: audited as the person, every other session ends, this one goes on, the new password works', async () => {
      const csrf = await form();
      const done = await me.request('POST', '/account/password', { csrf, current: PASSWORD, next: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.deepEqual([done.status, done.location], [303, '/account?notice=password_changed']);
      assert.match((await me.request('GET', '/account?notice=password_changed')).body, /Password changed/);
      assert.equal((await elsewhere.request('GET', '/account')).status, 303, 'the other browser is signed out');
      const audit = await ctx.store.db.selectFrom('audit_log').select(['action', 'actor', 'after_json']).where('target', '=', `user:${ann.id}`).orderBy('seq').execute();
      const changed = audit.filter((a) => a.action === 'method.password.changed' || a.action === 'session.revoke_all');
      assert.deepEqual(changed.map((a) => [a.action, a.actor]), [['method.password.changed', `user:${ann.id}`], ['session.revoke_all', `user:${ann.id}`]]);
      assert.ok(!JSON.stringify(audit).includes(NEW_PASSWORD), 'no password in the audit log');
      const b = new Browserish(server.url);
      assert.equal((await startPortalSignin(b, 'ann', PASSWORD)).afterPassword.status, 401, 'the old password is refused');
      const fresh = await startPortalSignin(new Browserish(server.url), 'ann', NEW_PASSWORD);
      assert.equal(fresh.afterPassword.location, fresh.path, 'the new password is accepted and the second factor asked');
    });

    await t.test('where the directory keeps the password, it is changed there, not here', async () => {
      registerPasswordOwner(async (_db, userId) => userId === ann.id);
      const res = await me.request('GET', '/account/password');
      assert.equal(res.status, 409);
      assert.match(res.body, /kept in your organisation’s directory/);
    });
  });
}
