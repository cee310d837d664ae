import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { enrolCli, pendingJson, signinToPush, tempDir } from './support.ts';
import { startPushService, type Behaviour, type PushService } from './webpush-service.ts';
import { decryptWebPush, readKeyFile, signedCall, userAgentKeys, type UserAgentKeys } from './webpush-agent.ts';

const PASSWORD = 'violet tangerine lighthouse';
const CONTACT = 'mailto:security@example.com';
const SUBSCRIPTION = '/push/v1/webpush/subscription';

interface Phone {
  userId: string;
  key: ReturnType<typeof readKeyFile>;
  keyFile: string;
  ua: UserAgentKeys;
  endpoint: string;
}

/** A person with a command-line authenticator whose Web Push subscription (our own keys) is registered. */
async function subscribedPhone(server: TestServer, service: PushService, dir: string, name: string, behaviour: Behaviour = 'accept'): Promise<Phone> {
  const user = await createUserWithPassword(server.ctx, name, PASSWORD);
  const keyFile = await enrolCli(server, user.id, dir, name);
  const key = readKeyFile(keyFile);
  const ua = userAgentKeys();
  const endpoint = service.endpoint(behaviour);
  const r = await signedCall(server.url, 'PUT', SUBSCRIPTION, { endpoint, expirationTime: null, keys: { p256dh: ua.p256dh, auth: ua.auth } }, key);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { userId: user.id, key, keyFile, ua, endpoint };
}

/** The Web Push audit entries about a person, oldest first. */
async function subscriptionAudit(server: TestServer, userId: string) {
  return server.ctx.store.db.selectFrom('audit_log').selectAll()
    .where('target', '=', `user:${userId}`).where('action', 'like', 'method.push.subscription.%').orderBy('seq').execute();
}

/** An entry keeps the push service's origin, never the endpoint's capability path or the keys. */
function assertNoSecrets(entry: { before_json: string | null; after_json: string | null }, phone: { ua: UserAgentKeys }, endpoint: string): void {
  const text = `${entry.before_json ?? ''} ${entry.after_json ?? ''}`;
  const path = new URL(endpoint).pathname;
  for (const secret of [path.slice(path.lastIndexOf('/') + 1), phone.ua.p256dh, phone.ua.auth]) assert.ok(!text.includes(secret), `the audit entry holds no ${secret.slice(0, 6)}…`);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const engine of ENGINES) {
  test(`Web Push tells the authenticator of a sign-in request on ${engine}`, engineSkip(engine), async (t) => {
    const service = await startPushService();
    const server = await startTestServer(engine, { webPush: { contact: CONTACT, allowPrivateOrigins: [service.origin] } });
    const tmp = tempDir();
    t.after(async () => {
      await service.close();
      await server.close();
      tmp.cleanup();
    });
    const db = server.ctx.store.db;

    await t.test('a sign-in sends an encrypted, VAPID-signed message that holds no number and no secret; the long poll still has the request', async () => {
      const phone = await subscribedPhone(server, service, tmp.dir, 'wanda');
      const key = await signedCall(server.url, 'GET', '/push/v1/webpush/key', undefined, phone.key);
      assert.equal(key.status, 200);
      const applicationServerKey = String(key.body.applicationServerKey);
      assert.equal(Buffer.from(applicationServerKey, 'base64url').length, 65);
      const row = await db.selectFrom('push_web_subscriptions').selectAll().where('credential_id', '=', phone.key.credentialId).executeTakeFirstOrThrow();
      assert.ok(!row.auth_sealed.includes(phone.ua.auth), 'the auth secret is sealed');
      const vapidRow = await db.selectFrom('push_vapid_keys').selectAll().executeTakeFirstOrThrow();
      assert.equal(vapidRow.public_key, applicationServerKey);

      const s = await signinToPush(server, 'wanda', PASSWORD);
      const [message] = await service.waitFor(phone.endpoint);
      assert.deepEqual(message!.problems, []);
      assert.equal(message!.headers.urgency, 'high');
      const ttl = Number(message!.headers.ttl);
      assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl} is within the request's lifetime`);
      assert.equal(message!.vapid!.key, applicationServerKey, 'signed with the published key');
      assert.equal(message!.vapid!.claims.sub, CONTACT);

      const pending = await pendingJson(phone.keyFile);
      assert.equal(pending.length, 1);
      const text = decryptWebPush(phone.ua, message!.body);
      const payload = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(payload).sort(), ['app', 'expiresAt', 'requestId', 'type', 'v']);
      assert.equal(payload.type, 'signin-request');
      assert.equal(payload.requestId, pending[0]!.id);
      assert.equal(payload.app, 'Tessera account');
      assert.ok(!Object.values(payload).includes(s.number), 'the number to match is not sent');
      assert.ok(!text.includes(pending[0]!.nonce), 'the approval nonce is not sent');
    });

    await t.test('429 is tried again; 410 removes the subscription', async () => {
      const busy = await subscribedPhone(server, service, tmp.dir, 'bruno', 'busy-once');
      await signinToPush(server, 'bruno', PASSWORD);
      const tries = await service.waitFor(busy.endpoint, 2);
      assert.equal(tries.length, 2);
      assert.ok(await db.selectFrom('push_web_subscriptions').select('last_sent_at').where('credential_id', '=', busy.key.credentialId).executeTakeFirstOrThrow());

      const gone = await subscribedPhone(server, service, tmp.dir, 'gina', 'gone');
      await signinToPush(server, 'gina', PASSWORD);
      await service.waitFor(gone.endpoint);
      await until('the subscription is removed', async () => !(await db.selectFrom('push_web_subscriptions').select('credential_id').where('credential_id', '=', gone.key.credentialId).executeTakeFirst()));
      assert.equal((await pendingJson(gone.keyFile)).length, 1, 'the request still waits for the long poll');
      await until('the removal is audited', async () => (await subscriptionAudit(server, gone.userId)).length === 2);
      const entry = (await subscriptionAudit(server, gone.userId))[1]!;
      assert.deepEqual([entry.action, entry.actor], ['method.push.subscription.gone', 'system']);
      assert.deepEqual(JSON.parse(entry.before_json!), { credentialId: gone.key.credentialId, pushService: service.origin });
      assert.match(String(JSON.parse(entry.after_json!).reason), /push service answered 410/);
      assertNoSecrets(entry, gone, gone.endpoint);
    });

    await t.test('adding, replacing and removing a subscription is audited under its person, with the push service\'s origin only', async () => {
      const phone = await subscribedPhone(server, service, tmp.dir, 'vera');
      const actor = `user:${phone.userId}`;
      const body = (endpoint: string) => ({ endpoint, keys: { p256dh: phone.ua.p256dh, auth: phone.ua.auth } });
      let entries = await subscriptionAudit(server, phone.userId);
      assert.deepEqual(entries.map((e) => [e.action, e.actor]), [['method.push.subscription.add', actor]]);
      assert.deepEqual(JSON.parse(entries[0]!.after_json!), { credentialId: phone.key.credentialId, pushService: service.origin });
      assert.ok(entries[0]!.request_id, 'the entry names the request');

      const again = await signedCall(server.url, 'PUT', SUBSCRIPTION, body(phone.endpoint), phone.key);
      assert.equal(again.status, 200);
      assert.equal((await subscriptionAudit(server, phone.userId)).length, 1, 'the same subscription again writes nothing');

      const renewed = service.endpoint();
      assert.equal((await signedCall(server.url, 'PUT', SUBSCRIPTION, body(renewed), phone.key)).status, 200);
      assert.equal((await signedCall(server.url, 'DELETE', SUBSCRIPTION, undefined, phone.key)).body.result, 'removed');
      const none = await signedCall(server.url, 'DELETE', SUBSCRIPTION, undefined, phone.key);
      assert.deepEqual([none.status, none.body.result], [200, 'none']);
      entries = await subscriptionAudit(server, phone.userId);
      assert.deepEqual(entries.map((e) => [e.action, e.actor]), [
        ['method.push.subscription.add', actor], ['method.push.subscription.replace', actor], ['method.push.subscription.remove', actor],
      ], 'removing what is not there writes nothing');
      assert.deepEqual(JSON.parse(entries[1]!.before_json!), { credentialId: phone.key.credentialId, pushService: service.origin });
      for (const e of entries) for (const endpoint of [phone.endpoint, renewed]) assertNoSecrets(e, phone, endpoint);
      const chain = await verifyAuditChain(server.ctx.store);
      assert.ok(chain.ok, JSON.stringify(chain));
    });

    await t.test('a push service that never answers does not delay the sign-in page', async () => {
      const phone = await subscribedPhone(server, service, tmp.dir, 'hugo', 'hang');
      const started = Date.now();
      const s = await signinToPush(server, 'hugo', PASSWORD);
      const took = Date.now() - started;
      assert.ok(s.number, 'the push page is shown');
      await service.waitFor(phone.endpoint);
      assert.ok(took < 5000, `the sign-in took ${took} ms`);
    });

    await t.test('subscription calls: unsigned or wrongly signed are refused; the endpoint must be a public https push service', async () => {
      const phone = await subscribedPhone(server, service, tmp.dir, 'ida');
      const other = await subscribedPhone(server, service, tmp.dir, 'otto');
      const body = (endpoint: string) => ({ endpoint, keys: { p256dh: phone.ua.p256dh, auth: phone.ua.auth } });
      assert.equal((await signedCall(server.url, 'PUT', SUBSCRIPTION, body(service.endpoint()), null)).status, 401);
      const forged = { credentialId: phone.key.credentialId, privateKey: other.key.privateKey };
      assert.equal((await signedCall(server.url, 'PUT', SUBSCRIPTION, body(service.endpoint()), forged)).status, 401);
      assert.equal((await signedCall(server.url, 'DELETE', SUBSCRIPTION, undefined, forged)).status, 401);
      assert.equal((await signedCall(server.url, 'GET', '/push/v1/webpush/key', undefined, null)).status, 401);
      for (const endpoint of ['http://push.example.com/abc', 'https://127.0.0.1/abc', 'https://10.1.2.3/abc', 'https://[::1]/abc', 'https://localhost/abc', 'https://user:pw@push.example.com/abc', 'ftp://push.example.com/abc']) {
        const r = await signedCall(server.url, 'PUT', SUBSCRIPTION, body(endpoint), phone.key);
        assert.equal(r.status, 400, endpoint);
        assert.equal(r.body.error, 'bad_endpoint', endpoint);
      }
      const badKey = await signedCall(server.url, 'PUT', SUBSCRIPTION, { endpoint: service.endpoint(), keys: { p256dh: 'A'.repeat(87), auth: phone.ua.auth } }, phone.key);
      assert.equal(badKey.status, 400);
      const row = await db.selectFrom('push_web_subscriptions').select('endpoint').where('credential_id', '=', phone.key.credentialId).executeTakeFirstOrThrow();
      assert.equal(row.endpoint, phone.endpoint, 'refused calls changed nothing');
      const removed = await signedCall(server.url, 'DELETE', SUBSCRIPTION, undefined, phone.key);
      assert.deepEqual([removed.status, removed.body.result], [200, 'removed']);
      assert.equal(await db.selectFrom('push_web_subscriptions').select('credential_id').where('credential_id', '=', phone.key.credentialId).executeTakeFirst(), undefined);
    });
  });

  test(`without a contact for push services (and an http issuer) Web Push is off and says so on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    const user = await createUserWithPassword(server.ctx, 'olga', PASSWORD);
    const key = readKeyFile(await enrolCli(server, user.id, tmp.dir, 'olga'));
    const r = await signedCall(server.url, 'GET', '/push/v1/webpush/key', undefined, key);
    assert.deepEqual([r.status, r.body.error], [404, 'web_push_off']);
    const put = await signedCall(server.url, 'PUT', SUBSCRIPTION, { endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys: { p256dh: userAgentKeys().p256dh, auth: 'A'.repeat(22) } }, key);
    assert.equal(put.status, 404);
    assert.equal(await server.ctx.store.db.selectFrom('push_vapid_keys').select('id').executeTakeFirst(), undefined, 'no key pair is made');
  });
}
