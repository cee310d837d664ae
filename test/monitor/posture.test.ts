import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { setMethodPolicy } from '../../src/methods/policy/check.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { setTapPolicy } from '../../src/recovery/tap/policy.ts';
import type { Db } from '../../src/store/store.ts';
import type { PostureRow } from '../../src/monitor/posture/model.ts';

/**
 * The posture checklist over a real store, as the admin API and the CLI
 * answer it: rows turn from fail to pass as the system is put right, and the
 * MFA fatigue notice is read and acknowledged before push is enrolled.
 */
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const by = { actor: 'test' };

/** A security key as registration leaves it (the ceremony itself is the WebAuthn tests' business). */
async function addSecurityKey(db: Db, userId: string): Promise<void> {
  const id = randomUUID();
  await db.insertInto('webauthn_credentials').values({
    id, user_id: userId, credential_id: id, public_key: 'AA', name: 'key', kind: 'security_key', aaguid: '00000000-0000-0000-0000-000000000000',
    transports: '["usb"]', attestation_format: 'none', discoverable: 0, user_verified: 1, backup_eligible: 0, backed_up: 0, sign_count: 0,
    created_at: new Date().toISOString(), last_used_at: null,
  }).execute();
}

/** A push credential as enrolment leaves it (the enrolment itself is the push tests' business). */
async function addPushCredential(db: Db, userId: string): Promise<string> {
  const now = new Date().toISOString();
  const deviceId = randomUUID();
  await db.insertInto('devices').values({ id: deviceId, user_id: userId, label: 'phone', platform: null, managed: 0, compliant: 0, status: 'active', last_seen_at: null, created_at: now, updated_at: now }).execute();
  const id = randomUUID();
  await db.insertInto('push_credentials').values({ id, user_id: userId, device_id: deviceId, label: 'phone', public_key: '{}', status: 'active', created_at: now, last_used_at: null }).execute();
  return id;
}

for (const engine of ENGINES) {
  test(`posture checklist on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-posture-'));
    t.after(async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { ctx } = server;
    const token = (await createApiToken(ctx.store, { role: 'auditor', name: 'auditor' }, by)).token;
    const admin = (await createApiToken(ctx.store, { role: 'global_admin', name: 'admin' }, by)).token;
    const api = (method: string, path: string, bearer: string, body?: unknown) => fetch(`${server.url}/api/admin${path}`, {
      method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    const rows = async () => {
      const res = await api('GET', '/posture', token);
      assert.equal(res.status, 200);
      return ((await res.json()) as { items: PostureRow[] }).items;
    };
    const rowOf = async (id: string) => (await rows()).find((r) => r.id === id)!;

    const ada = await createUserWithPassword(ctx, 'ada', PASSWORD, ['global_admin']);
    const ann = await createUserWithPassword(ctx, 'ann', PASSWORD);
    await importTotp(ctx, ann.id, { secretBase32: SEED, actor: 'test' });

    await t.test('admin-mfa: an administrator without a second factor fails it, until one is registered', async () => {
      const before = await rowOf('admin-mfa');
      assert.equal(before.status, 'fail');
      assert.deepEqual(before.figures.withoutMfa, ['ada']);
      assert.match(before.fix!, /ada/);
      await importTotp(ctx, ada.id, { secretBase32: SEED, actor: 'test' });
      const after = await rowOf('admin-mfa');
      assert.equal(after.status, 'pass');
      assert.equal(after.figures.phishingResistantShare, 0);
      assert.equal((await rowOf('phishing-resistant')).status, 'fail', 'ada has no security key');
    });

    await t.test('app-mfa: a mail app fails until a policy asks MFA of everyone on it; the category is set over the API', async () => {
      await createClient(ctx.store, { clientId: 'webmail', redirectUris: ['https://mail.example.com/cb'], category: 'mail' }, by);
      const before = await rowOf('app-mfa');
      assert.equal(before.status, 'fail');
      assert.deepEqual(before.figures.withoutMfa, ['webmail']);
      await savePolicy(ctx.store, { name: 'MFA for mail', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['webmail'] } }, grant: { strength: 'mfa' } }, by);
      assert.equal((await rowOf('app-mfa')).status, 'pass');
      const set = await api('PUT', '/apps/oidc/webmail/category', admin, { category: 'other' });
      assert.equal(set.status, 200);
      const none = await rowOf('app-mfa');
      assert.equal(none.status, 'fail', 'apps exist but none is categorised');
      assert.match(none.fix!, /tessera posture category/);
      assert.equal((await api('PUT', '/apps/oidc/webmail/category', admin, { category: 'mail' })).status, 200);
      assert.equal((await api('PUT', '/apps/oidc/nope/category', admin, { category: 'mail' })).status, 404);
      assert.equal((await api('PUT', '/apps/oidc/webmail/category', admin, { category: 'email' })).status, 400);
      assert.equal((await api('PUT', '/apps/oidc/webmail/category', token, { category: 'mail' })).status, 403, 'auditors read, they do not change');
    });

    await t.test('service-accounts: a machine client with a shared secret fails it', async () => {
      assert.equal((await rowOf('service-accounts')).status, 'pass');
      await createClient(ctx.store, { clientId: 'reporting', grantTypes: ['client_credentials'] }, by);
      const r = await rowOf('service-accounts');
      assert.equal(r.status, 'fail');
      assert.deepEqual(r.figures.sharedSecret, ['reporting']);
      assert.match(r.fix!, /private_key_jwt/);
    });

    await t.test('sms-admins: passes by default, fails once administrators may use SMS', async () => {
      assert.equal((await rowOf('sms-admins')).status, 'pass');
      await setMethodPolicy(ctx.store, 'sms', { allowAdmins: true }, by);
      assert.equal((await rowOf('sms-admins')).status, 'fail');
      await setMethodPolicy(ctx.store, 'sms', { allowAdmins: false }, by);
    });

    await t.test('recovery-documented: fails until the pass policy is set on purpose', async () => {
      assert.equal((await rowOf('recovery-documented')).status, 'fail');
      await setTapPolicy(ctx.store, { maxLifetimeMinutes: 240 }, by);
      const r = await rowOf('recovery-documented');
      assert.equal(r.status, 'pass');
      assert.deepEqual(r.figures.runbooks, ['planned_phone_change', 'lost_phone', 'first_device']);
      assert.equal((await rowOf('break-glass-tested')).status, 'fail', 'no break-glass account yet');
      assert.equal((await rowOf('exceptions-end-date')).status, 'pass');
      assert.equal((await rowOf('push-number-matching')).status, 'pass');
    });

    await t.test('phishing-resistant and break-glass-tested pass once the keys and a recent test are there', async () => {
      await addSecurityKey(ctx.store.db, ada.id);
      assert.equal((await rowOf('phishing-resistant')).status, 'pass');
      const glass = await createUserWithPassword(ctx, 'glass-1', PASSWORD);
      await ctx.store.db.updateTable('users').set({ kind: 'break_glass' }).where('id', '=', glass.id).execute();
      const untested = await rowOf('break-glass-tested');
      assert.equal(untested.status, 'fail');
      assert.deepEqual(untested.figures.missingCredentials, ['glass-1']);
      assert.deepEqual(untested.figures.overdue, ['glass-1']);
      await addSecurityKey(ctx.store.db, glass.id);
      await addSecurityKey(ctx.store.db, glass.id);
      const at = new Date().toISOString();
      await ctx.store.db.insertInto('break_glass_tests').values({ id: randomUUID(), user_id: glass.id, at, actor: 'test', result: 'pass', signin_id: null, signin_at: at, notes: null }).execute();
      const ready = await rowOf('break-glass-tested');
      assert.equal(ready.status, 'pass', ready.fix ?? '');
      assert.equal(ready.figures.accounts, 1);
    });

    await t.test('the MFA fatigue notice: read and acknowledged before push is enrolled, and counted', async () => {
      const b = new Browserish(server.url);
      const { path, csrf } = await startPortalSignin(b, 'ann', PASSWORD);
      assert.equal((await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SEED) })).location, '/account');
      const notice = await b.request('GET', '/account/push/new');
      assert.equal(notice.status, 200);
      assert.match(notice.body, /Only approve a request you started yourself/);
      assert.match(notice.body, /deny it and report it/);
      assert.doesNotMatch(notice.body, /id="enrol-link"/, 'no enrolment link before the notice is acknowledged');
      const page = hiddenCsrf(notice.body);
      assert.equal((await b.request('POST', '/account/push/notice', { csrf: page })).status, 400, 'the box must be ticked');
      const ok = await b.request('POST', '/account/push/notice', { csrf: page, understood: 'yes' });
      assert.equal(ok.status, 303);
      assert.equal(ok.location, '/account/push/new');
      assert.match((await b.request('GET', '/account/push/new')).body, /id="enrol-link"/);
      const entry = await ctx.store.db.selectFrom('audit_log').select(['actor', 'target']).where('action', '=', 'push.fatigue_notice.acknowledge').executeTakeFirst();
      assert.equal(entry?.actor, `user:${ann.id}`);
      assert.equal(entry?.target, `user:${ann.id}`);

      // Scripts acknowledge it in the request that asks for the link.
      const cyd = await createUserWithPassword(ctx, 'cyd', PASSWORD);
      await importTotp(ctx, cyd.id, { secretBase32: SEED, actor: 'test' });
      const c = new Browserish(server.url);
      const signin = await startPortalSignin(c, 'cyd', PASSWORD);
      await c.request('POST', `${signin.path}/totp`, { csrf: signin.csrf, code: totpCode(SEED, 1) });
      const headers = { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': hiddenCsrf((await c.request('GET', '/account/push/new')).body), 'content-type': 'application/json' };
      const refused = await fetch(`${server.url}/api/me/push/enrolments`, { method: 'POST', headers, body: '{}' });
      assert.equal(refused.status, 400);
      assert.match(((await refused.json()) as { message: string }).message, /acknowledgeFatigueNotice.*Only approve a request you started yourself/);
      const issued = await fetch(`${server.url}/api/me/push/enrolments`, { method: 'POST', headers, body: JSON.stringify({ acknowledgeFatigueNotice: true }) });
      assert.equal(issued.status, 201);
      assert.match(((await issued.json()) as { link: string }).link, /\/authenticator#enrol=/);

      await addPushCredential(ctx.store.db, ann.id);
      const bobPush = await addPushCredential(ctx.store.db, ada.id);
      const r = await rowOf('push-fatigue-notice');
      assert.equal(r.status, 'fail');
      assert.deepEqual([r.figures.pushUsers, r.figures.acknowledged, r.figures.share], [2, 1, 50]);
      await ctx.store.db.updateTable('push_credentials').set({ status: 'revoked' }).where('id', '=', bobPush).execute();
      assert.equal((await rowOf('push-fatigue-notice')).status, 'pass');
    });

    await t.test('tessera posture --json: an array of { id, title, status, figures, fix }; the text names the fixes', async () => {
      const env = cliEnv(server.testStore, dataDir);
      const json = await runCli(['posture', '--json'], env);
      assert.equal(json.code, 1, 'a row fails (service accounts), so the exit is 1');
      const parsed = JSON.parse(json.stdout) as PostureRow[];
      assert.ok(Array.isArray(parsed) && parsed.length === 10);
      for (const r of parsed) {
        assert.deepEqual(Object.keys(r), ['id', 'title', 'status', 'figures', 'fix']);
        assert.ok(r.status === 'pass' || r.status === 'fail');
        assert.equal(r.fix === null, r.status === 'pass');
      }
      const text = await runCli(['posture'], env);
      assert.match(text.stdout, /^FAIL  service-accounts +Service accounts protected/m);
      assert.match(text.stdout, /^ +Fix: move these machine clients from a shared secret to private_key_jwt/m);
      assert.match(text.stdout, /^PASS  admin-mfa /m);
      assert.match(text.stdout, /checks fail\.$/m);
      const cat = await runCli(['posture', 'category', 'oidc', 'webmail', 'cloud'], env);
      assert.equal(cat.code, 0, cat.stderr);
      assert.match((await runCli(['client', 'show', 'webmail'], env)).stdout, /category: +cloud/);
      const vpn = await runCli(['client', 'create', 'vpn-portal', '--redirect-uri', 'https://vpn.example.com/cb', '--category', 'vpn', '--json'], env);
      assert.equal((JSON.parse(vpn.stdout) as { client: { category: string } }).client.category, 'vpn');
      const bad = await runCli(['client', 'create', 'x-app', '--redirect-uri', 'https://x.example.com/cb', '--category', 'email'], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--category must be one of mail, cloud, vpn, critical, other/);
      assert.equal((await runCli(['posture', 'category', 'ldap', 'x', 'cloud'], env)).code, 2);
    });
  });
}
