import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { randomBytes, webcrypto } from 'node:crypto';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { approvalSigningString, HEADER_CREDENTIAL, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSigningString } from '../../src/methods/push/protocol.ts';
import { sendPushRequest } from '../../src/http/routes/push/recorded.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { setMethodPolicy } from '../../src/methods/policy/check.ts';
import { enrolmentLink } from '../../src/http/routes/account/push.ts';
import { generateBackupCodes } from '../../src/methods/backup-codes/index.ts';
import { authenticator, enrolCli, pendingJson, signinToPush, tempDir } from './support.ts';

const PASSWORD = 'violet tangerine lighthouse';
const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

async function signWith(jwk: webcrypto.JsonWebKey, text: string): Promise<string> {
  const key = await webcrypto.subtle.importKey('jwk', jwk, ALG, false, ['sign']);
  return Buffer.from(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(text))).toString('base64url');
}

/** A hand-made signed protocol call, to send what our authenticator never would. */
async function rawCall(url: string, credentialId: string, headerKey: webcrypto.JsonWebKey, path: string, body: unknown) {
  const text = JSON.stringify(body);
  const ts = String(Date.now());
  const nonce = randomBytes(18).toString('base64url');
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [HEADER_CREDENTIAL]: credentialId,
      [HEADER_TIMESTAMP]: ts,
      [HEADER_NONCE]: nonce,
      [HEADER_SIGNATURE]: await signWith(headerKey, requestSigningString('POST', path, ts, nonce, text)),
    },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as { code?: string; error?: string; message?: string; result?: string } };
}

for (const engine of ENGINES) {
  test(`push sign-in with the command-line authenticator on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    const db = server.ctx.store.db;

    await t.test('enrolment by link creates a 0600 key file, a device and a push credential linked to it; the link works once', async () => {
      const user = await createUserWithPassword(server.ctx, 'enid', PASSWORD);
      const { token } = await issuePushEnrolment(server.ctx.store, user.id, { actor: 'test' });
      const link = enrolmentLink(server.url, token);
      const keyFile = `${tmp.dir}/enid.json`;
      const r = await authenticator(keyFile, 'enrol', link, '--label', 'Build box');
      assert.equal(r.code, 0, r.out.join('\n'));
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { credentialId: string; deviceId: string };
      const cred = await db.selectFrom('push_credentials').selectAll().where('id', '=', key.credentialId).executeTakeFirstOrThrow();
      assert.equal(cred.user_id, user.id);
      assert.equal(cred.device_id, key.deviceId);
      assert.ok(!cred.public_key.includes('"d"'), 'only the public key is stored');
      const device = await db.selectFrom('devices').selectAll().where('id', '=', key.deviceId).executeTakeFirstOrThrow();
      assert.equal(device.user_id, user.id);
      const again = await authenticator(`${tmp.dir}/enid2.json`, 'enrol', link).catch((e: Error) => ({ code: 1, out: [e.message] }));
      assert.notEqual(again.code, 0);
      assert.match(again.out.join(' '), /expired or was already used/);
      const audit = await db.selectFrom('audit_log').select('action').where('target', '=', `user:${user.id}`).execute();
      assert.ok(audit.some((a) => a.action === 'method.push.add'));
    });

    await t.test('the sign-in page shows a number; the authenticator gets the context and approves with it; continue signs in', async () => {
      const user = await createUserWithPassword(server.ctx, 'pat', PASSWORD);
      const keyFile = await enrolCli(server, user.id, tmp.dir, 'pat');
      const s = await signinToPush(server, 'pat', PASSWORD);
      assert.ok(s.number, 'a two-digit number is shown');
      assert.match(s.body, /http-equiv="refresh"/, 'waits without JavaScript');
      assert.match(s.body, /I approved it — continue/);
      const early = await s.b.request('POST', `${s.path}/push-continue`, { csrf: s.csrf });
      assert.equal(early.status, 409, 'not approved yet');
      const [req] = await pendingJson(keyFile);
      assert.ok(req);
      assert.equal(req.ip, '127.0.0.1');
      assert.equal(req.location, 'unknown');
      assert.equal(req.app, 'Tessera account');
      assert.ok(!('number' in req), 'the number is never sent to the authenticator');
      const status = JSON.parse((await s.b.request('GET', `${s.path}/push-status`)).body) as { status: string };
      assert.equal(status.status, 'waiting');
      const ok = await authenticator(keyFile, 'approve', req.id, '--number', s.number!);
      assert.deepEqual(ok.out, ['approved']);
      assert.equal(JSON.parse((await s.b.request('GET', `${s.path}/push-status`)).body).status, 'approved');
      const done = await s.b.request('POST', `${s.path}/push-continue`, { csrf: s.csrf });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/account');
      const account = await s.b.request('GET', '/account');
      assert.match(account.body, /Signed in as <strong>pat<\/strong>/);
      const log = await db.selectFrom('signin_log').selectAll().where('user_id', '=', user.id).where('result', '=', 'success').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(log.methods_used), ['password', 'push']);
    });

    await t.test('a wrong number fails the request; a forged signature and an expired request are refused', async () => {
      const user = await createUserWithPassword(server.ctx, 'wren', PASSWORD);
      const keyFile = await enrolCli(server, user.id, tmp.dir, 'wren');
      const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { credentialId: string; privateKey: webcrypto.JsonWebKey };
      const s = await signinToPush(server, 'wren', PASSWORD);
      const [req] = await pendingJson(keyFile);
      const wrong = String(((Number(s.number) - 10 + 1) % 90) + 10);

      // Forged: another key signs the request (header) — refused before anything changes.
      const other = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const otherJwk = await webcrypto.subtle.exportKey('jwk', other.privateKey);
      const path = `/push/v1/requests/${req!.id}/approve`;
      const forgedHeader = await rawCall(server.url, key.credentialId, otherJwk, path, {
        number: s.number, signature: await signWith(otherJwk, approvalSigningString(req!.id, s.number!, req!.nonce)),
      });
      assert.equal(forgedHeader.status, 401);
      // Forged approval: the device signs the call, but the approval signature over (id, number, nonce) is not its own.
      const forgedApproval = await rawCall(server.url, key.credentialId, key.privateKey, path, {
        number: s.number, signature: await signWith(otherJwk, approvalSigningString(req!.id, s.number!, req!.nonce)),
      });
      assert.equal(forgedApproval.status, 401);
      assert.equal(forgedApproval.body.code ?? forgedApproval.body.error, 'bad_signature');
      // Signed over a different nonce: refused too.
      const wrongNonce = await rawCall(server.url, key.credentialId, key.privateKey, path, {
        number: s.number, signature: await signWith(key.privateKey, approvalSigningString(req!.id, s.number!, 'another-nonce')),
      });
      assert.equal(wrongNonce.status, 401);

      const bad = await authenticator(keyFile, 'approve', req!.id, '--number', wrong).catch((e: Error) => ({ code: 1, out: [e.message] }));
      assert.notEqual(bad.code, 0);
      assert.match(bad.out.join(' '), /not the number shown/);
      const row = await db.selectFrom('push_requests').selectAll().where('id', '=', req!.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'denied');
      const cont = await s.b.request('POST', `${s.path}/push-continue`, { csrf: s.csrf });
      assert.equal(cont.status, 303);
      assert.notEqual(cont.location, '/account', 'a refused request does not sign in');
      assert.match((await s.b.request('GET', s.path)).body, /The request was denied/);
      const logs = await db.selectFrom('signin_log').select('reason').where('user_id', '=', user.id).execute();
      assert.ok(logs.some((l) => l.reason === 'push_wrong_number'));

      // Expired: a request sent 61 s ago cannot be approved.
      const old = await sendPushRequest(server.ctx.store, { userId: user.id, ip: '127.0.0.1' }, new Date(Date.now() - 61_000));
      assert.ok(old.ok);
      const expired = await rawCall(server.url, key.credentialId, key.privateKey, `/push/v1/requests/${old.request.id}/approve`, {
        number: old.request.number, signature: await signWith(key.privateKey, approvalSigningString(old.request.id, old.request.number, old.request.nonce)),
      });
      assert.equal(expired.status, 410);
    });

    await t.test('the fourth push within five minutes is refused and logged', async () => {
      const user = await createUserWithPassword(server.ctx, 'quinn', PASSWORD);
      await enrolCli(server, user.id, tmp.dir, 'quinn');
      for (let i = 0; i < 3; i++) assert.ok((await sendPushRequest(server.ctx.store, { userId: user.id })).ok);
      const fourth = await sendPushRequest(server.ctx.store, { userId: user.id });
      assert.equal(fourth.ok, false);
      assert.equal(!fourth.ok && fourth.refusal.reason, 'rate_limited');
      // Through the page as well: no number shown, other methods offered.
      const b = new Browserish(server.url);
      const { path } = await startPortalSignin(b, 'quinn', PASSWORD);
      const view = await b.request('GET', path);
      assert.match(view.body, /Too many push requests/);
      assert.doesNotMatch(view.body, /push-number/);
      const logs = await db.selectFrom('signin_log').select('reason').where('user_id', '=', user.id).execute();
      assert.ok(logs.filter((l) => l.reason === 'push_rate_limited').length >= 2);
    });

    await t.test('repeated denials suspend push, write an alert, and the page offers the other methods; "not me" marks risk high', async () => {
      const user = await createUserWithPassword(server.ctx, 'dana', PASSWORD);
      await generateBackupCodes(server.ctx, user.id, { actor: 'test' });
      const keyFile = await enrolCli(server, user.id, tmp.dir, 'dana');
      const first = await sendPushRequest(server.ctx.store, { userId: user.id, ip: '198.51.100.7' });
      assert.ok(first.ok);
      assert.deepEqual((await authenticator(keyFile, 'deny', first.request.id, '--not-me')).out, ['reported']);
      const risk = await db.selectFrom('user_risk').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      assert.equal(risk.level, 'high');
      assert.ok(await db.selectFrom('alerts').select('id').where('user_id', '=', user.id).where('kind', '=', 'push.reported').executeTakeFirst());
      for (let i = 0; i < 2; i++) {
        const r = await sendPushRequest(server.ctx.store, { userId: user.id, ip: '198.51.100.7' });
        assert.ok(r.ok);
        assert.deepEqual((await authenticator(keyFile, 'deny', r.request.id)).out, ['denied']);
      }
      const suspension = await db.selectFrom('push_suspensions').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
      assert.ok(new Date(suspension.until) > new Date());
      const alert = await db.selectFrom('alerts').selectAll().where('user_id', '=', user.id).where('kind', '=', 'push.bombing').executeTakeFirstOrThrow();
      assert.equal(alert.severity, 'high');
      const logs = await db.selectFrom('signin_log').select('reason').where('user_id', '=', user.id).execute();
      assert.ok(logs.some((l) => l.reason === 'push_suspended'));
      const b = new Browserish(server.url);
      const { path } = await startPortalSignin(b, 'dana', PASSWORD);
      const view = await b.request('GET', path);
      assert.match(view.body, /Push sign-in is paused/);
      assert.match(view.body, /value="backup_code"/, 'the other registered methods are offered');
      assert.equal((await sendPushRequest(server.ctx.store, { userId: user.id })).ok, false);
    });

    await t.test('a long poll answers as soon as a request is stored', async () => {
      const user = await createUserWithPassword(server.ctx, 'lola', PASSWORD);
      const keyFile = await enrolCli(server, user.id, tmp.dir, 'lola');
      const started = Date.now();
      const waiting = authenticator(keyFile, 'requests', '--wait', '10', '--json');
      await new Promise((resolve) => setTimeout(resolve, 700));
      const sent = await sendPushRequest(server.ctx.store, { userId: user.id, appName: 'Mail', ip: '203.0.113.9' });
      assert.ok(sent.ok);
      const got = JSON.parse((await waiting).out.join('\n')) as Array<{ id: string; app: string }>;
      assert.equal(got[0]!.id, sent.request.id);
      assert.equal(got[0]!.app, 'Mail');
      assert.ok(Date.now() - started < 5000, 'delivered long before the wait ended');
    });

    await t.test('unanswered pushes count too: three that expired suspend push', async () => {
      const user = await createUserWithPassword(server.ctx, 'una', PASSWORD);
      await enrolCli(server, user.id, tmp.dir, 'una');
      for (let i = 0; i < 3; i++) {
        assert.ok((await sendPushRequest(server.ctx.store, { userId: user.id }, new Date(Date.now() - (9 - i) * 60_000))).ok);
      }
      const next = await sendPushRequest(server.ctx.store, { userId: user.id });
      assert.equal(!next.ok && next.refusal.reason, 'suspended');
      assert.ok(await db.selectFrom('alerts').select('id').where('user_id', '=', user.id).where('kind', '=', 'push.bombing').executeTakeFirst());
    });

    await t.test('push disabled by the methods policy cannot be registered or used', async () => {
      const user = await createUserWithPassword(server.ctx, 'mo', PASSWORD);
      const keyFile = await enrolCli(server, user.id, tmp.dir, 'mo');
      await setMethodPolicy(server.ctx.store, 'push', { enabled: false }, { actor: 'test' });
      try {
        const b = new Browserish(server.url);
        const { afterPassword } = await startPortalSignin(b, 'mo', PASSWORD);
        assert.equal(afterPassword.location, '/account', 'push no longer counts: the password is all this user has');
        const { token } = await issuePushEnrolment(server.ctx.store, user.id, { actor: 'test' });
        const r = await authenticator(`${tmp.dir}/mo2.json`, 'enrol', enrolmentLink(server.url, token)).catch((e: Error) => ({ code: 1, out: [e.message] }));
        assert.notEqual(r.code, 0);
        assert.match(r.out.join(' '), /not enabled/);
        const sent = await sendPushRequest(server.ctx.store, { userId: user.id });
        assert.ok(sent.ok);
        const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { credentialId: string; privateKey: webcrypto.JsonWebKey };
        const res = await rawCall(server.url, key.credentialId, key.privateKey, `/push/v1/requests/${sent.request.id}/approve`, {
          number: sent.request.number, signature: await signWith(key.privateKey, approvalSigningString(sent.request.id, sent.request.number, sent.request.nonce)),
        });
        assert.equal(res.status, 403, 'an authenticator cannot approve while push is disabled');
      } finally {
        await setMethodPolicy(server.ctx.store, 'push', { enabled: true }, { actor: 'test' });
      }
    });
  });
}
