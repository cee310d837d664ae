import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { startTestServer } from '../../support/server.ts';
import { createUserWithPassword } from '../../support/fixtures.ts';
import { auditedChange } from '../../../src/audit/append.ts';
import { insertUser, setUserPassword } from '../../../src/directory/users.ts';
import { importTotp, removeTotp } from '../../../src/methods/totp/manage.ts';
import { issueTap } from '../../../src/recovery/tap/index.ts';
import { linkIn, passwordSignin, queuedNotices, scanNow } from './support.ts';

/**
 * Notices to people, end to end on a running server: what changes on their
 * account and a sign-in from a new device or country reach them by e-mail
 * once, with a "this wasn't me" link and never a code or a pass.
 */
const PASSWORD = 'violet tangerine lighthouse';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const FIREFOX_NEXT = 'Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0';
const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

for (const engine of ENGINES) {
  test(`notices to people on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const helen = await createUserWithPassword(ctx, 'helen', PASSWORD, ['helpdesk']);
    const boss = await createUserWithPassword(ctx, 'boss', PASSWORD, ['global_admin']);
    await scanNow(ctx);

    await t.test('a pass issued for someone: an e-mail that says so, with the link, and without the pass', async () => {
      const ann = await createUserWithPassword(ctx, 'ann', PASSWORD);
      const { pass } = await issueTap(ctx, { user: 'ann', operator: 'helen' }, { actor: `user:${helen.id}` });
      await scanNow(ctx);
      const mails = (await queuedNotices(ctx)).filter((m) => m.to.includes(ann.email!));
      assert.equal(mails.length, 1);
      assert.equal(mails[0]!.subject, 'A temporary access pass was issued for your account');
      assert.match(mails[0]!.text, /The pass itself is never sent by e-mail/);
      assert.ok(linkIn(mails[0]!.text).startsWith('nm_'));
      assert.ok(!mails[0]!.text.includes(pass), 'the pass is not in the mail');
      assert.ok(!mails[0]!.text.includes(pass.replace(/\W/g, '')), 'not even without its separators');
    });

    await t.test('a privileged account\'s pass: the recovery alert is raised once, where it was issued', async () => {
      await issueTap(ctx, { user: 'boss', operator: 'helen' }, { actor: `user:${helen.id}` });
      await scanNow(ctx);
      const alerts = await ctx.store.db.selectFrom('alerts').select('kind').where('user_id', '=', boss.id).execute();
      assert.deepEqual(alerts.map((a) => a.kind), ['tap.privileged_issued']);
    });

    await t.test('a method added and removed, a password changed: one e-mail each, however often scanned', async () => {
      const bea = await createUserWithPassword(ctx, 'bea', PASSWORD);
      const { credentialId } = await importTotp(ctx, bea.id, { secretBase32: SEED, actor: `user:${bea.id}` });
      await removeTotp(ctx, bea.id, credentialId, { actor: `user:${bea.id}` });
      await setUserPassword(ctx.store, bea.id, 'a completely different passphrase', { actor: `user:${bea.id}` });
      await scanNow(ctx);
      await ctx.store.db.updateTable('detection_state').set({ audit_seq: 0 }).execute();
      await scanNow(ctx);
      const subjects = (await queuedNotices(ctx)).filter((m) => m.to.includes(bea.email!)).map((m) => m.subject);
      assert.deepEqual(subjects, ['A new way to sign in was added to your account', 'A way to sign in was removed from your account', 'Your password was changed']);
      for (const m of await queuedNotices(ctx)) assert.ok(!m.text.includes(SEED), 'no secret in any mail');
    });

    await t.test('a sign-in on a new device gets an e-mail; the same browser after an update does not', async () => {
      const cai = await createUserWithPassword(ctx, 'cai', PASSWORD);
      await passwordSignin(ctx, 'cai', PASSWORD, { ip: '127.0.0.1', userAgent: FIREFOX });
      await scanNow(ctx);
      await passwordSignin(ctx, 'cai', PASSWORD, { ip: '127.0.0.1', userAgent: FIREFOX_NEXT });
      await scanNow(ctx);
      assert.deepEqual((await queuedNotices(ctx)).filter((m) => m.to.includes(cai.email!)), [], 'the first sign-in and an update are not news');
      await passwordSignin(ctx, 'cai', PASSWORD, { ip: '127.0.0.1', userAgent: CHROME_MAC });
      await scanNow(ctx);
      const mails = (await queuedNotices(ctx)).filter((m) => m.to.includes(cai.email!));
      assert.deepEqual(mails.map((m) => m.subject), ['New sign-in to your account']);
      assert.match(mails[0]!.text, /on a device or browser you have not used before \(Chrome on macOS\)/);
    });

    await t.test('a sign-in from a new country gets an e-mail naming it', async () => {
      const dov = await createUserWithPassword(ctx, 'dov', PASSWORD);
      await passwordSignin(ctx, 'dov', PASSWORD, { ip: '81.2.69.142', userAgent: FIREFOX });
      await scanNow(ctx);
      await passwordSignin(ctx, 'dov', PASSWORD, { ip: '5.9.0.1', userAgent: FIREFOX });
      await scanNow(ctx);
      const mails = (await queuedNotices(ctx)).filter((m) => m.to.includes(dov.email!));
      assert.equal(mails.length, 1);
      assert.match(mails[0]!.text, /from a country you have not signed in from before \(DE\), from the address 5\.9\.0\.1/);
    });

    await t.test('someone without an e-mail address: no mail, counted', async () => {
      const before = await ctx.store.db.selectFrom('detection_state').select('unmailed').executeTakeFirstOrThrow();
      const nomail = await auditedChange(ctx.store, async (trx, record) => {
        const u = await insertUser(trx, { username: 'nomail' });
        await record({ actor: 'test', action: 'user.create', target: `user:${u.id}` });
        return u;
      });
      await issueTap(ctx, { user: 'nomail', operator: 'helen' }, { actor: `user:${helen.id}` });
      const r = await scanNow(ctx);
      assert.equal(r.unmailed, 1);
      const after = await ctx.store.db.selectFrom('detection_state').select('unmailed').executeTakeFirstOrThrow();
      assert.equal(Number(after.unmailed) - Number(before.unmailed), 1);
      assert.equal((await ctx.store.db.selectFrom('report_links').select('id').where('user_id', '=', nomail.id).execute()).length, 0);
    });
  });
}
