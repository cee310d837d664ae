import { test } from 'node:test';
import { phoneCodeKey } from '../../src/methods/phone/codes.ts';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { OUTBOX_FILE, senderFor } from '../../src/methods/phone/senders.ts';
import { startPhoneRegistration } from '../../src/methods/phone/numbers.ts';
import { setMethodPolicy } from '../../src/methods/policy/index.ts';
import { METHODS } from '../../src/methods/method.ts';
import { builtinStrength, strengthSatisfied } from '../../src/policy/strengths.ts';

const PASSWORD = 'violet tangerine lighthouse';

function lastCode(dataDir: string): string {
  const lines = readFileSync(join(dataDir, OUTBOX_FILE), 'utf8').trim().split('\n');
  return /(\d{6})/.exec(JSON.parse(lines.at(-1)!).text as string)![1]!;
}

test('SMS and voice are restricted: never phishing-resistant', () => {
  assert.equal(METHODS.sms.phishingResistant, false);
  assert.equal(METHODS.sms.restricted, true);
  assert.equal(METHODS.voice.restricted, true);
  assert.equal(strengthSatisfied(builtinStrength('phishing_resistant_mfa'), [{ method: 'password' }, { method: 'sms' }]), false);
  assert.equal(strengthSatisfied(builtinStrength('mfa'), [{ method: 'password' }, { method: 'sms' }]), true);
});

test('Twilio-compatible and webhook senders post the expected requests', async (t) => {
  const seen: Array<{ url: string; auth: string | undefined; type: string | undefined; body: string }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], body });
      res.writeHead(req.url === '/fail' ? 500 : 201, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const twilio = senderFor({ dataDir: '/nonexistent', phone: { kind: 'twilio', baseUrl: base, accountSid: 'AC123', authToken: 'tok', from: '+15550000000' } });
  await twilio.send({ channel: 'sms', to: '+15551234567', code: '123456', text: '123456 is your code' });
  await twilio.send({ channel: 'voice', to: '+15551234567', code: '123456', text: 'unused' });
  assert.equal(seen[0]!.url, '/2010-04-01/Accounts/AC123/Messages.json');
  assert.equal(seen[0]!.auth, `Basic ${Buffer.from('AC123:tok').toString('base64')}`);
  assert.match(seen[0]!.type!, /x-www-form-urlencoded/);
  const sms = new URLSearchParams(seen[0]!.body);
  assert.deepEqual([sms.get('To'), sms.get('From'), sms.get('Body')], ['+15551234567', '+15550000000', '123456 is your code']);
  assert.equal(seen[1]!.url, '/2010-04-01/Accounts/AC123/Calls.json');
  assert.match(new URLSearchParams(seen[1]!.body).get('Twiml')!, /<Response><Say>.*1, 2, 3, 4, 5, 6.*<\/Say><\/Response>/);
  const hook = senderFor({ dataDir: '/nonexistent', phone: { kind: 'webhook', url: `${base}/hook` } });
  await hook.send({ channel: 'sms', to: '+15551234567', code: '654321', text: 'hello' });
  assert.deepEqual(JSON.parse(seen[2]!.body), { channel: 'sms', to: '+15551234567', text: 'hello' });
  await assert.rejects(senderFor({ dataDir: '/x', phone: { kind: 'webhook', url: `${base}/fail` } }).send({ channel: 'sms', to: '+1555', code: '1', text: 'x' }), /answered 500/);
});

for (const engine of ENGINES) {
  test(`SMS codes through the pages with the dev outbox on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const dataDir = ctx.config.dataDir;
    const user = await createUserWithPassword(ctx, 'sam', PASSWORD);

    await t.test('a number is verified at registration (outbox code), then SMS is the second factor', async () => {
      const b = new Browserish(server.url);
      const { afterPassword } = await startPortalSignin(b, 'sam', PASSWORD);
      assert.equal(afterPassword.location, '/account');
      const form = await b.request('GET', '/account/phone');
      assert.match(form.body, /SIM card/, 'the person is told why app or key methods are stronger');
      const csrf = hiddenCsrf(form.body);
      const bad = await b.request('POST', '/account/phone', { csrf, channel: 'sms', number: '12' });
      assert.equal(bad.status, 400);
      const started = await b.request('POST', '/account/phone', { csrf, channel: 'sms', number: '+44 7700 900123' });
      assert.equal(started.status, 200, started.body);
      assert.ok(existsSync(join(dataDir, OUTBOX_FILE)));
      const id = /\/account\/phone\/([0-9a-f-]{36})\/verify/.exec(started.body)![1]!;
      const wrong = await b.request('POST', `/account/phone/${id}/verify`, { csrf, code: '000000' === lastCode(dataDir) ? '111111' : '000000' });
      assert.equal(wrong.status, 400);
      const ok = await b.request('POST', `/account/phone/${id}/verify`, { csrf, code: lastCode(dataDir) });
      assert.equal(ok.status, 303);
      const row = await ctx.store.db.selectFrom('phone_numbers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'active');
      assert.equal(row.number, '+447700900123');
      const audit = await ctx.store.db.selectFrom('audit_log').select(['action', 'after_json']).where('action', '=', 'method.sms.add').executeTakeFirstOrThrow();
      assert.ok(!String(audit.after_json).includes('900123'), 'the audit entry holds a masked number');

      const s = new Browserish(server.url);
      const { path, afterPassword: next } = await startPortalSignin(s, 'sam', PASSWORD);
      assert.equal(next.location, path);
      const view = await s.request('GET', path);
      assert.match(view.body, /Enter the code we sent by text message/);
      assert.match(view.body, /\+44•+23/);
      const done = await s.request('POST', `${path}/sms-code`, { csrf: hiddenCsrf(view.body), code: lastCode(dataDir) });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/account');
      const log = await ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', user.id).where('result', '=', 'success').orderBy('at', 'desc').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(log.methods_used), ['password', 'sms']);
    });

    await t.test('a used code is refused as replayed, an expired one as expired; sends are rate-limited', async () => {
      const used = lastCode(dataDir);
      const s = new Browserish(server.url);
      const { path } = await startPortalSignin(s, 'sam', PASSWORD);
      const view = await s.request('GET', path);
      const csrf = hiddenCsrf(view.body);
      const replay = await s.request('POST', `${path}/sms-code`, { csrf, code: used });
      assert.equal(replay.status, 401);
      assert.match(replay.body, /already used/);
      const fresh = lastCode(dataDir);
      await ctx.store.db.updateTable('phone_codes').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
      const late = await s.request('POST', `${path}/sms-code`, { csrf, code: fresh });
      assert.equal(late.status, 401);
      assert.match(late.body, /expired/);
      const reasons = (await ctx.store.db.selectFrom('signin_log').select('reason').where('user_id', '=', user.id).execute()).map((r) => r.reason);
      assert.ok(reasons.includes('sms_replayed') && reasons.includes('sms_expired'));
      // Three codes so far this hour; two more may be sent, the sixth is refused.
      assert.equal((await s.request('POST', `${path}/sms-resend`, { csrf })).status, 303);
      assert.equal((await s.request('POST', `${path}/sms-resend`, { csrf })).status, 303);
      const refused = await s.request('POST', `${path}/sms-resend`, { csrf });
      assert.equal(refused.status, 429);
      const ok = await s.request('POST', `${path}/sms-code`, { csrf, code: lastCode(dataDir) });
      assert.equal(ok.status, 303, 'the latest code still works');
      assert.equal(ok.location, '/account');
    });

    await t.test('SMS is not for admins by default, and a method disabled by policy cannot be registered or used', async () => {
      const admin = await createUserWithPassword(ctx, 'ada', PASSWORD, ['helpdesk']);
      await assert.rejects(startPhoneRegistration(ctx.store, senderFor(ctx.config), admin.id, 'sms', '+15551230000', phoneCodeKey(ctx.config)), /administrators must use stronger methods/);
      await setMethodPolicy(ctx.store, 'sms', { enabled: false }, { actor: 'test' });
      try {
        await assert.rejects(startPhoneRegistration(ctx.store, senderFor(ctx.config), user.id, 'sms', '+15551230001', phoneCodeKey(ctx.config)), /turned off/);
        const s = new Browserish(server.url);
        const { afterPassword } = await startPortalSignin(s, 'sam', PASSWORD);
        assert.equal(afterPassword.location, '/account', 'the SMS number no longer counts as a factor');
      } finally {
        await setMethodPolicy(ctx.store, 'sms', { enabled: true }, { actor: 'test' });
      }
    });
  });
}
