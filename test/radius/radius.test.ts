import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { authenticator, enrolCli, pendingJson, tempDir } from '../push/support.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { generateBackupCodes } from '../../src/methods/backup-codes/index.ts';
import { addRadiusClient } from '../../src/protocols/radius/clients.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { saveNamedLocation } from '../../src/policy/store/bundle.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { setPassword } from '../../src/methods/password/service.ts';
import { insertUser, setUserStatus } from '../../src/directory/users.ts';
import { listAlerts } from '../../src/monitor/alerts.ts';
import { quoted, radclientSkip, radius } from './support.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { OUTBOX_FILE } from '../../src/methods/phone/senders.ts';

/** Sign-in through RADIUS with radclient (FreeRADIUS) as the NAS. */
const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'the vpn shared secret, long enough';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const by = { actor: 'user:admin' };

for (const engine of ENGINES) {
  test(`RADIUS sign-in with radclient on ${engine}`, { ...engineSkip(engine), ...radclientSkip() }, async (t) => {
    const server: TestServer = await startTestServer(engine, { radius: { host: '127.0.0.1', port: 0, flow: { pushWaitMs: 1500 } } });
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    const { ctx } = server;
    const port = server.app.radius!.address().port;
    const ask = (attrs: Record<string, string>, options?: Parameters<typeof radius>[3]) => radius(port, SECRET, attrs, options);
    const login = (user: string, password: string, extra: Record<string, string> = {}) => ask({ 'User-Name': quoted(user), 'User-Password': quoted(password), ...extra });
    await addRadiusClient(ctx.store, ctx.secrets, { name: 'vpn', address: '127.0.0.1', secret: SECRET }, by);
    const alice = await createUserWithPassword(ctx, 'alice', PASSWORD);
    await importTotp(ctx, alice.id, { secretBase32: SEED, actor: 'test' });
    const rows = (userId: string) => ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', userId).orderBy('at').execute();

    await t.test('password, then the authenticator code through an Access-Challenge', async () => {
      const first = await login('alice', PASSWORD, { 'Calling-Station-Id': quoted('198.51.100.23') });
      assert.equal(first.code, 'Access-Challenge');
      assert.match(first.attributes['Reply-Message']!, /6-digit code from your authenticator app/);
      assert.ok(first.attributes['Message-Authenticator'], 'every response carries a Message-Authenticator');
      const second = await login('alice', totpCode(SEED), { State: first.attributes.State! });
      assert.equal(second.code, 'Access-Accept');
      const ok = (await rows(alice.id)).at(-1)!;
      assert.deepEqual([ok.result, ok.client_id, ok.ip, ok.user_agent], ['success', 'radius:vpn', '198.51.100.23', 'RADIUS vpn']);
      assert.deepEqual(JSON.parse(ok.methods_used), ['password', 'totp']);
      const replay = await login('alice', totpCode(SEED), { State: first.attributes.State! });
      assert.equal(replay.code, 'Access-Reject', 'a finished sign-in cannot be continued again');
    });

    await t.test('a wrong password or a wrong code is refused, each one log row; a backup code works at the same prompt', async () => {
      assert.equal((await login('alice', 'not the password')).code, 'Access-Reject');
      assert.equal((await login('nobody-here', 'not the password')).code, 'Access-Reject');
      const first = await login('alice', PASSWORD);
      const wrong = await login('alice', '000000', { State: first.attributes.State! });
      assert.equal(wrong.code, 'Access-Challenge', 'asked again, within the throttle');
      assert.match(wrong.attributes['Reply-Message']!, /not right/);
      const [code] = await generateBackupCodes(ctx, alice.id, { actor: 'test' });
      const backup = await login('alice', code!, { State: wrong.attributes.State! });
      assert.equal(backup.code, 'Access-Accept');
      const reasons = (await rows(alice.id)).map((r) => r.reason);
      assert.ok(reasons.includes('bad_password') && reasons.includes('totp_invalid'), reasons.join(' '));
    });

    await t.test('password + push approved on the command-line authenticator, with number matching', async () => {
      const pat = await createUserWithPassword(ctx, 'pat', PASSWORD);
      const keyFile = await enrolCli(server, pat.id, tmp.dir, 'pat');
      const first = await login('pat', PASSWORD);
      assert.equal(first.code, 'Access-Challenge');
      const number = /choose (\d{2})/.exec(first.attributes['Reply-Message']!)?.[1];
      assert.ok(number, first.attributes['Reply-Message']);
      const early = await login('pat', '', { State: first.attributes.State! });
      assert.equal(early.code, 'Access-Challenge', 'not approved yet: asked again');
      const [pending] = await pendingJson(keyFile);
      assert.deepEqual((await authenticator(keyFile, 'approve', pending!.id, '--number', number!)).out, ['approved']);
      const done = await login('pat', '', { State: early.attributes.State! });
      assert.equal(done.code, 'Access-Accept');
    });

    await t.test('a code by text message is sent when the challenge is issued and answered at the same prompt; a wrong one is refused and logged', async () => {
      const sam = await createUserWithPassword(ctx, 'sam', PASSWORD);
      const now = new Date().toISOString();
      await ctx.store.db.insertInto('phone_numbers').values({ id: randomUUID(), user_id: sam.id, channel: 'sms', number: '+447700900123', status: 'active', created_at: now, verified_at: now, last_used_at: null }).execute();
      const first = await login('sam', PASSWORD);
      assert.equal(first.code, 'Access-Challenge');
      assert.match(first.attributes['Reply-Message']!, /code we sent to \+44•+23/);
      const lines = readFileSync(join(ctx.config.dataDir, OUTBOX_FILE), 'utf8').trim().split('\n');
      const sent = JSON.parse(lines.at(-1)!) as { to: string; text: string };
      assert.equal(sent.to, '+447700900123');
      const code = /(\d{6})/.exec(sent.text)![1]!;
      const wrong = await login('sam', code === '000000' ? '111111' : '000000', { State: first.attributes.State! });
      assert.equal(wrong.code, 'Access-Challenge', 'asked again');
      const done = await login('sam', code, { State: wrong.attributes.State! });
      assert.equal(done.code, 'Access-Accept');
      const log = await rows(sam.id);
      assert.deepEqual(JSON.parse(log.at(-1)!.methods_used), ['password', 'sms']);
      assert.ok(log.some((r) => r.reason === 'sms_invalid'), log.map((r) => r.reason).join(' '));
    });

    await t.test('append mode: password and code in one User-Password', async () => {
      // Its own node: a NAS is recognised by its address, and radclient always sends from this one.
      const other = await startTestServer(engine, { radius: { host: '127.0.0.1', port: 0 } });
      try {
        await addRadiusClient(other.ctx.store, other.ctx.secrets, { name: 'old-firewall', address: '127.0.0.0/8', secret: SECRET, mode: 'append' }, by);
        const bob = await createUserWithPassword(other.ctx, 'bob', PASSWORD);
        await importTotp(other.ctx, bob.id, { secretBase32: SEED, actor: 'test' });
        const otherPort = other.app.radius!.address().port;
        const appended = await radius(otherPort, SECRET, { 'User-Name': quoted('bob'), 'User-Password': quoted(`${PASSWORD}${totpCode(SEED)}`) });
        assert.equal(appended.code, 'Access-Accept');
        assert.equal((await radius(otherPort, SECRET, { 'User-Name': quoted('bob'), 'User-Password': quoted(PASSWORD) })).code, 'Access-Reject', 'no code, no entry');
      } finally {
        await other.close();
      }
    });

    await t.test('a wrong secret, or no Message-Authenticator, is dropped unanswered and counted; Status-Server is answered', async () => {
      const drops = server.app.radius!.drops;
      const before = (drops.get('bad_authenticator') ?? 0) + (drops.get('no_message_authenticator') ?? 0);
      assert.equal((await radius(port, 'a different secret entirely', { 'User-Name': quoted('alice'), 'User-Password': quoted(PASSWORD) }, { timeoutS: 1 })).code, 'none');
      assert.equal((await ask({ 'User-Name': quoted('alice'), 'User-Password': quoted(PASSWORD) }, { timeoutS: 1, messageAuthenticator: false })).code, 'none');
      assert.equal((drops.get('bad_authenticator') ?? 0) + (drops.get('no_message_authenticator') ?? 0), before + 2);
      assert.equal((await ask({}, { code: 'status' })).code, 'Access-Accept');
    });

    await t.test('service accounts and disabled people are refused', async () => {
      const svc = await auditedChange(ctx.store, async (trx, record) => {
        const u = await insertUser(trx, { username: 'backup-job', kind: 'service' });
        await record({ actor: 'test', action: 'user.create', target: `user:${u.id}` });
        return u;
      });
      await setPassword(ctx.store, svc.id, PASSWORD, { actor: 'test', singleFactor: true });
      assert.equal((await login('backup-job', PASSWORD)).code, 'Access-Reject');
      assert.equal((await rows(svc.id)).at(-1)!.reason, 'service_account_interactive');
      const dora = await createUserWithPassword(ctx, 'dora', PASSWORD);
      await importTotp(ctx, dora.id, { secretBase32: SEED, actor: 'test' });
      const started = await login('dora', PASSWORD);
      assert.equal(started.code, 'Access-Challenge');
      await setUserStatus(ctx.store, 'dora', 'disabled', by);
      const refused = await login('dora', PASSWORD);
      assert.equal(refused.code, 'Access-Reject');
      assert.equal((await rows(dora.id)).at(-1)!.reason, 'user_disabled');
      const mid = await login('dora', totpCode(SEED), { State: started.attributes.State! });
      assert.equal(mid.code, 'Access-Reject', `disabled mid-sign-in: the challenge cannot be finished: ${JSON.stringify(mid.attributes)} ${JSON.stringify((await rows(dora.id)).map((r) => r.reason))}`);
    });

    await t.test('a break-glass account signing in over RADIUS raises a high alert naming the NAS', async () => {
      const glass = await createUserWithPassword(ctx, 'glass', PASSWORD);
      await ctx.store.db.updateTable('users').set({ kind: 'break_glass' }).where('id', '=', glass.id).execute();
      await importTotp(ctx, glass.id, { secretBase32: SEED, actor: 'test' });
      const first = await login('glass', PASSWORD, { 'Calling-Station-Id': quoted('198.51.100.40') });
      assert.equal((await login('glass', totpCode(SEED), { State: first.attributes.State! })).code, 'Access-Accept');
      const alerts = await listAlerts(ctx.store.db, { kind: 'breakglass.signin' });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.severity, 'high');
      assert.equal(alerts[0]!.username, 'glass');
      assert.match(JSON.stringify(alerts[0]!.details), /radius:vpn/);
      assert.match(JSON.stringify(alerts[0]!.details), /198\.51\.100\.40/);
    });

    await t.test('a push nobody answers ends cleanly: the VPN is told, the sign-in is over, one log row says why', async () => {
      const quinn = await createUserWithPassword(ctx, 'quinn', PASSWORD);
      const keyFile = await enrolCli(server, quinn.id, tmp.dir, 'quinn');
      const first = await login('quinn', PASSWORD);
      assert.equal(first.code, 'Access-Challenge');
      assert.equal((await pendingJson(keyFile)).length, 1);
      // The request's lifetime runs out while the person looks away.
      await ctx.store.db.updateTable('push_requests').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user_id', '=', quinn.id).execute();
      const t0 = Date.now();
      const late = await login('quinn', '', { State: first.attributes.State! });
      assert.equal(late.code, 'Access-Reject');
      assert.match(late.attributes['Reply-Message']!, /Nobody approved the request in time/);
      assert.ok(Date.now() - t0 < 1400, 'an expired request is not waited for');
      assert.equal((await login('quinn', '', { State: first.attributes.State! })).code, 'Access-Reject', 'the sign-in is over');
      const last = (await rows(quinn.id)).at(-1)!;
      assert.equal(last.result, 'failure');
      assert.match(last.reason ?? '', /push/);
    });

    await t.test('conditional access: RADIUS only from a named location', async () => {
      await saveNamedLocation(ctx.store, { name: 'Office', ipRanges: ['203.0.113.0/24'] }, by);
      await savePolicy(ctx.store, {
        name: 'VPN from the office only', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['radius:vpn'] } },
        conditions: { clientTypes: ['radius'], locations: { include: 'all', exclude: ['Office'] } }, grant: { block: true },
      }, by, { confirmLockout: 'test' });
      const outside = await login('alice', PASSWORD, { 'Calling-Station-Id': quoted('198.51.100.23') });
      assert.equal(outside.code, 'Access-Reject');
      assert.match(outside.attributes['Reply-Message']!, /VPN from the office only/);
      assert.equal((await rows(alice.id)).at(-1)!.reason, 'policy_blocked');
      const inside = await login('alice', PASSWORD, { 'Calling-Station-Id': quoted('203.0.113.9') });
      assert.equal(inside.code, 'Access-Challenge');
    });
  });
}

