import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { generateBackupCodes } from '../../src/methods/backup-codes/index.ts';
import { registerPasswordOwner } from '../../src/directory/password-source.ts';

const PASSWORD = 'violet tangerine lighthouse';
const NEW_PASSWORD = 'quiet harbour under copper skies';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const alert = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1] ?? '';

/** Up to the "forgot your password" page for a typed name. */
async function atResetPage(base: string, username: string) {
  const b = new Browserish(base);
  const start = await b.request('GET', '/signin?return_to=%2Faccount');
  const path = start.location!;
  const csrf = hiddenCsrf((await b.request('GET', path)).body);
  await b.request('POST', `${path}/username`, { csrf, username });
  const passwordPage = (await b.request('GET', path)).body;
  const forgot = await b.request('POST', `${path}/forgot`, { csrf });
  assert.equal(forgot.status, 303, forgot.body.slice(0, 300));
  const page = (await b.request('GET', path)).body;
  return { b, path, csrf, passwordPage, page };
}

for (const engine of ENGINES) {
  test(`forgot password: two other factors, then a new password, never e-mail, on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const kim = await createUserWithPassword(ctx, 'kim', PASSWORD);
    await importTotp(ctx, kim.id, { secretBase32: SEED, actor: 'test' });
    const codes = await generateBackupCodes(ctx, kim.id, { actor: 'test' });
    const rows = (userId: string) => ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', userId).orderBy('at').execute();

    await t.test('offered for every name, known or not, and the page names no method of the account', async () => {
      const known = await atResetPage(server.url, 'kim');
      const unknown = await atResetPage(server.url, 'nobody-here');
      const strip = (s: string, name: string) => s.replace(new RegExp(name, 'g'), 'NAME').replace(/[0-9a-f]{64}|\/signin\/[A-Za-z0-9_-]+/g, '');
      assert.match(known.passwordPage, /Forgot your password\?/);
      assert.equal(strip(known.passwordPage, 'kim'), strip(unknown.passwordPage, 'nobody-here'));
      assert.equal(strip(known.page, 'kim'), strip(unknown.page, 'nobody-here'));
      assert.match(known.page, /a passkey on its own, or a code from your authenticator app together with one of your backup codes/);
      assert.match(known.page, /ask your helpdesk/i);
      const wrong = await unknown.b.request('POST', `${unknown.path}/reset-codes`, { csrf: unknown.csrf, totp: '123456', backup: codes[0]! });
      assert.deepEqual([wrong.status, alert(wrong.body)], [401, 'That did not work. Check the codes and try again, or ask your helpdesk.']);
    });

    await t.test('a wrong authenticator code: refused, logged, and the backup code is not used up', async () => {
      const { b, path, csrf } = await atResetPage(server.url, 'kim');
      const wrong = await b.request('POST', `${path}/reset-codes`, { csrf, totp: totpCode(SEED) === '000000' ? '111111' : '000000', backup: codes[0]! });
      assert.equal(wrong.status, 401);
      assert.equal((await rows(kim.id)).at(-1)!.reason, 'reset_totp_invalid');
      const unused = await ctx.store.db.selectFrom('backup_codes').innerJoin('backup_code_sets', 'backup_code_sets.id', 'backup_codes.set_id')
        .select('backup_codes.used_at').where('backup_code_sets.user_id', '=', kim.id).where('backup_codes.used_at', 'is', null).execute();
      assert.equal(unused.length, codes.length, 'no backup code was used');
      const skipped = await b.request('POST', `${path}/reset-codes`, { csrf, totp: totpCode(SEED), backup: '' });
      assert.equal(skipped.status, 400, 'both codes are needed');
    });

    await t.test('both codes, then the rules, then the new password: everything signed in as the person ends', async () => {
      const other = new Browserish(server.url);
      const { path: p2, csrf: c2 } = await startPortalSignin(other, 'kim', PASSWORD);
      assert.equal((await other.request('POST', `${p2}/totp`, { csrf: c2, code: totpCode(SEED) })).location, '/account');
      const { b, path, csrf } = await atResetPage(server.url, 'kim');
      const proven = await b.request('POST', `${path}/reset-codes`, { csrf, totp: totpCode(SEED, 1), backup: codes[2]! });
      assert.equal(proven.status, 303, proven.body.slice(0, 300));
      const form = await b.request('GET', path);
      assert.match(form.body, /Choose a new password/);
      assert.equal(b.cookies.size > 0 && (await b.request('GET', '/account')).status, 303, 'proving the factors signed nobody in');
      const differ = await b.request('POST', `${path}/reset-password`, { csrf, next: NEW_PASSWORD, confirm: 'something else entirely' });
      assert.deepEqual([differ.status, alert(differ.body)], [400, 'The two new passwords are not the same.']);
      const weak = await b.request('POST', `${path}/reset-password`, { csrf, next: 'password1234', confirm: 'password1234' });
      assert.equal(weak.status, 400);
      assert.match(alert(weak.body), /^This password .*common/);
      const done = await b.request('POST', `${path}/reset-password`, { csrf, next: NEW_PASSWORD, confirm: NEW_PASSWORD });
      assert.equal(done.status, 303);
      assert.match((await b.request('GET', path)).body, /Your password is changed/);
      assert.equal((await other.request('GET', '/account')).status, 303, 'the other browser is signed out');
      const audit = await ctx.store.db.selectFrom('audit_log').select(['action', 'actor']).where('target', '=', `user:${kim.id}`).orderBy('seq').execute();
      assert.deepEqual(audit.slice(-2).map((a) => [a.action, a.actor]), [['method.password.changed', `user:${kim.id}`], ['session.revoke_all', `user:${kim.id}`]]);
      assert.deepEqual([(await rows(kim.id)).at(-1)!.reason, (await rows(kim.id)).at(-1)!.result], ['password_reset', 'interrupted']);
      assert.equal((await startPortalSignin(new Browserish(server.url), 'kim', PASSWORD)).afterPassword.status, 401, 'the old password is refused');
      const fresh = await startPortalSignin(new Browserish(server.url), 'kim', NEW_PASSWORD);
      assert.equal(fresh.afterPassword.location, fresh.path, 'the new password works, and the second factor is still asked');
    });

    await t.test('on a recovery hold, or where the directory keeps the password: the helpdesk, after the proof', async () => {
      const lee = await createUserWithPassword(ctx, 'lee', PASSWORD);
      await importTotp(ctx, lee.id, { secretBase32: SEED, actor: 'test' });
      const leeCodes = await generateBackupCodes(ctx, lee.id, { actor: 'test' });
      await ctx.store.db.insertInto('recovery_holds').values({ user_id: lee.id, reason: 'lost_phone', created_at: new Date().toISOString(), created_by: 'test' }).execute();
      const held = await atResetPage(server.url, 'lee');
      const refused = await held.b.request('POST', `${held.path}/reset-codes`, { csrf: held.csrf, totp: totpCode(SEED), backup: leeCodes[0]! });
      assert.equal(refused.status, 403);
      assert.match(alert(refused.body), /cannot be reset here. Ask your helpdesk/);
      assert.equal((await rows(lee.id)).at(-1)!.reason, 'reset_recovery_hold');
      await ctx.store.db.deleteFrom('recovery_holds').where('user_id', '=', lee.id).execute();
      registerPasswordOwner(async (_db, userId) => userId === lee.id);
      const dir = await atResetPage(server.url, 'lee');
      const elsewhere = await dir.b.request('POST', `${dir.path}/reset-codes`, { csrf: dir.csrf, totp: totpCode(SEED, 1), backup: leeCodes[1]! });
      assert.equal(elsewhere.status, 403);
      assert.match(alert(elsewhere.body), /kept in your organisation’s directory/);
    });
  });
}
