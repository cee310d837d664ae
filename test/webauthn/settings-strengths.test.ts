import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from '../foundation/support.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { openStore, type Db } from '../../src/store/store.ts';
import { getWebauthnSettings, setWebauthnSettings } from '../../src/methods/webauthn/index.ts';
import { createStrength, deleteStrength, updateStrength } from '../../src/policy/store/strength-catalog.ts';
import { nextStep, amrForUses } from '../../src/signin/strength-requirement.ts';
import { decideAccess } from '../../src/policy/access/decide.ts';
import { readSigninConfig } from '../../src/policy/store/config-snapshot.ts';
import type { MethodUse } from '../../src/policy/strengths.ts';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const by = { actor: 'test' };

/** A registered key row as the WebAuthn module would store it (the ceremony itself is covered by the browser tests). */
async function addKeyRow(db: Db, userId: string, aaguid = YUBIKEY): Promise<void> {
  const now = new Date().toISOString();
  await db.insertInto('webauthn_credentials').values({
    id: randomUUID(), user_id: userId, credential_id: randomUUID().replace(/-/g, ''), public_key: 'AA', name: 'Key', kind: 'security_key',
    aaguid, transports: '["usb"]', attestation_format: 'packed', discoverable: 0, user_verified: 0, backup_eligible: 0, backed_up: 0,
    sign_count: 0, created_at: now, last_used_at: null,
  }).execute();
}

const actions = async (db: Db, prefix: string) =>
  (await db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action).filter((a) => a.startsWith(prefix));

for (const engine of ENGINES) {
  test(`methods settings, strengths and the admin API on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const { ctx } = s;
    const db = ctx.store.db;

    await t.test('admins need phishing-resistant MFA by default; switching it on cannot strand every global admin', async () => {
      assert.deepEqual(await getWebauthnSettings(db), { attestation: 'none', aaguids: [], appliesTo: 'everyone', adminsRequirePhishingResistant: true });
      const root = await createUserWithPassword(ctx, 'root', 'violet tangerine lighthouse', ['global_admin']);
      await setWebauthnSettings(ctx.store, { adminsRequirePhishingResistant: false }, by);
      await assert.rejects(setWebauthnSettings(ctx.store, { adminsRequirePhishingResistant: true }, by), /strand every global admin/);
      assert.equal((await getWebauthnSettings(db)).adminsRequirePhishingResistant, false, 'nothing changed');
      await addKeyRow(db, root.id);
      await setWebauthnSettings(ctx.store, { adminsRequirePhishingResistant: true }, by);
      await assert.rejects(
        setWebauthnSettings(ctx.store, { attestation: 'allowlist', aaguids: ['ee882879-721c-4913-9775-3dfcce97072a'] }, by),
        /of an allowed model/,
        'an allow-list no global admin key is on would strand them too',
      );
      const ok = await setWebauthnSettings(ctx.store, { attestation: 'allowlist', aaguids: [YUBIKEY.toUpperCase()], appliesTo: 'admins' }, by);
      assert.deepEqual(ok.aaguids, [YUBIKEY]);
      await assert.rejects(setWebauthnSettings(ctx.store, { aaguids: [] }, by), /allow-list needs at least one AAGUID/);
      await assert.rejects(setWebauthnSettings(ctx.store, { aaguids: ['not-an-aaguid'] }, by), /AAGUIDs/);
      assert.deepEqual(await actions(db, 'method.settings'), ['method.settings.update', 'method.settings.update', 'method.settings.update']);
      await setWebauthnSettings(ctx.store, { attestation: 'none', aaguids: [] }, by);
    });

    await t.test('what a sign-in must reach, and what it asks next', async () => {
      const missing = async (roles: string[], requested: string[], uses: MethodUse[] = [{ method: 'password' }]) => {
        const d = decideAccess(await readSigninConfig(db), {
          via: 'signin', active: true, requestedAcr: requested, authTime: null,
          facts: {
            now: new Date(), user: { id: 'u', username: 'u', kind: 'person', groups: [], roles, registeredMethods: ['password'] },
            app: 'tessera:portal', ip: null, country: null, device: null, clientType: 'browser', signInRisk: 'none', userRisk: 'none', methodsUsed: uses,
          },
        });
        return d.outcome.kind === 'step_up' ? [...d.outcome.missing] : [];
      };
      const req = await missing(['global_admin'], []);
      assert.ok(req.some((s) => s.id === 'phishing_resistant_mfa'), 'admins need phishing-resistant MFA');
      assert.equal(nextStep(req, [{ method: 'password' }], { secondFactors: ['webauthn', 'totp', 'backup_code'] }, ['webauthn', 'totp', 'backup_code']), 'webauthn');
      assert.equal(nextStep(req, [{ method: 'password' }], { secondFactors: [] }, ['webauthn', 'totp']), 'register_webauthn', 'an admin without a key registers one');
      assert.equal(nextStep(req, [{ method: 'password' }], { secondFactors: ['totp'] }, ['webauthn', 'totp']), 'totp', 'MFA is proven before a key is added');
      const afterTotp = await missing(['global_admin'], [], [{ method: 'password' }, { method: 'totp' }]);
      assert.equal(nextStep(afterTotp, [{ method: 'password' }, { method: 'totp' }], { secondFactors: ['totp'] }, ['webauthn', 'totp']), 'register_webauthn');
      const mfa = await missing([], ['urn:tessera:acr:mfa']);
      assert.equal(nextStep(mfa, [{ method: 'password' }], { secondFactors: [] }, ['webauthn', 'totp']), 'register_totp', 'plain MFA still registers an authenticator app');
      assert.deepEqual(amrForUses([{ method: 'webauthn', userVerified: true, backupEligible: true }]), ['mfa', 'pop', 'swk', 'user']);
      await createStrength(ctx.store, { name: 'hardware-key', combinations: ['password+webauthn_device_bound'] }, by);
      const custom = await missing([], ['urn:tessera:acr:custom:hardware-key']);
      assert.deepEqual(custom.map((x) => x.id), ['hardware-key']);
      await deleteStrength(ctx.store, 'hardware-key', by);
    });

    await t.test('custom strengths through the admin API: validated, audited, permission-checked', async () => {
      const admin = await s.token('security_admin');
      const auditor = await s.token('auditor');
      const list = await s.call('GET', '/api/admin/strengths', { token: auditor });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json<{ items: Array<{ name: string }> }>().items.map((i) => i.name), ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa']);
      assert.equal((await s.call('POST', '/api/admin/strengths', { token: auditor, body: { name: 'x1', combinations: ['passkey'] } })).statusCode, 403);
      const created = await s.call('POST', '/api/admin/strengths', {
        token: admin, body: { name: 'yubikeys', description: 'Approved hardware keys', combinations: ['password+webauthn', 'passkey'], allowedAaguids: [YUBIKEY] },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json<{ acr: string }>().acr, 'urn:tessera:acr:custom:yubikeys');
      assert.equal((await s.call('POST', '/api/admin/strengths', { token: admin, body: { name: 'yubikeys', combinations: ['passkey'] } })).statusCode, 409);
      const bad = await s.call('POST', '/api/admin/strengths', { token: admin, body: { name: 'odd', combinations: ['password+fingerprint'] } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json<{ message: string }>().message, /unknown method "fingerprint"/);
      const patched = await s.call('PATCH', '/api/admin/strengths/yubikeys', { token: admin, body: { combinations: ['totp+sms'] } });
      assert.equal(patched.statusCode, 400, 'AAGUIDs without a WebAuthn combination are refused');
      const weak = await s.call('PATCH', '/api/admin/strengths/yubikeys', { token: admin, body: { combinations: ['passkey', 'totp+sms'], allowedAaguids: [YUBIKEY] } });
      assert.equal(weak.statusCode, 200, weak.body);
      assert.deepEqual(weak.json<{ warnings: string[] }>().warnings, ['totp+sms is a single kind of factor, not MFA']);
      assert.equal((await s.call('DELETE', '/api/admin/strengths/mfa', { token: admin })).statusCode, 404);
      assert.equal((await s.call('DELETE', '/api/admin/strengths/yubikeys', { token: admin })).statusCode, 204);
      assert.equal((await s.call('GET', '/api/admin/strengths/yubikeys', { token: admin })).statusCode, 404);
      assert.deepEqual(await actions(db, 'strength.'), ['strength.create', 'strength.delete', 'strength.create', 'strength.update', 'strength.delete']);
      await assert.rejects(updateStrength(ctx.store, 'nothing', { description: 'x' }, by), /no strength named nothing/);
    });

    await t.test('WebAuthn settings through the admin API: a stranding change is a 409 with the reason', async () => {
      const admin = await s.token('global_admin');
      const got = await s.call('GET', '/api/admin/methods/webauthn', { token: admin });
      assert.equal(got.json<{ adminsRequirePhishingResistant: boolean }>().adminsRequirePhishingResistant, true);
      await db.deleteFrom('webauthn_credentials').execute();
      assert.equal((await s.call('PATCH', '/api/admin/methods/webauthn', { token: admin, body: { adminsRequirePhishingResistant: false } })).statusCode, 200);
      const refused = await s.call('PATCH', '/api/admin/methods/webauthn', { token: admin, body: { adminsRequirePhishingResistant: true } });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json<{ message: string }>().message, /strand every global admin/);
      const openapi = await s.call('GET', '/api/openapi.json');
      assert.ok(Object.keys(openapi.json<{ paths: Record<string, unknown> }>().paths).some((p) => p.endsWith('/strengths/{name}')));
    });
  });

  test(`tessera methods and tessera strength on ${engine}`, engineSkip(engine), async (t) => {
    const tdb = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    t.after(async () => {
      await tdb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(tdb, dataDir);
    const cli = (args: string[]) => runCli(args, env);

    const shown = await cli(['methods', 'show', 'webauthn', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).settings.adminsRequirePhishingResistant, true);
    const noList = await cli(['methods', 'set', 'webauthn', '--attestation', 'allowlist']);
    assert.equal(noList.code, 1);
    assert.match(noList.stderr, /^tessera: aaguids: an allow-list needs at least one AAGUID$/m);
    const narrowing = await cli(['methods', 'set', 'webauthn', '--attestation', 'allowlist', '--aaguid', YUBIKEY, '--applies-to', 'admins']);
    assert.equal(narrowing.code, 1, 'no global admin has such a key yet');
    const off = await cli(['methods', 'set', 'webauthn', '--admins-phishing-resistant', 'off']);
    assert.equal(off.code, 0, off.stderr);
    const set = await cli(['methods', 'set', 'webauthn', '--attestation', 'allowlist', '--aaguid', YUBIKEY, '--applies-to', 'admins']);
    assert.equal(set.code, 0, set.stderr);
    assert.match((await cli(['methods', 'show'])).stdout, /allowed: cb69481e-8ff7-4039-93ec-0a2729a154a8 {2}YubiKey 5 Series/);
    const on = await cli(['methods', 'set', 'webauthn', '--admins-phishing-resistant', 'on']);
    assert.equal(on.code, 1);
    assert.match(on.stderr, /strand every global admin/);
    assert.equal((await cli(['methods', 'set', 'webauthn', '--admins-phishing-resistant', 'maybe'])).code, 2);

    const created = await cli(['strength', 'create', 'hw', '--combination', 'password+webauthn_device_bound', '--combination', 'totp+sms', '--description', 'Hardware keys']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created strength hw \(urn:tessera:acr:custom:hw\)/);
    assert.match(created.stderr, /warning: totp\+sms is a single kind of factor/);
    const list = JSON.parse((await cli(['strength', 'list', '--json'])).stdout) as Array<{ name: string; builtin: boolean }>;
    assert.deepEqual(list.map((x) => x.name), ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa', 'hw']);
    assert.match((await cli(['strength', 'show', 'hw'])).stdout, /allows: password\+webauthn_device_bound/);
    const bad = await cli(['strength', 'create', 'bad', '--combination', 'password+retina']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown method "retina"/);
    assert.equal((await cli(['strength', 'delete', 'mfa'])).code, 1);
    assert.equal((await cli(['strength', 'delete', 'hw'])).code, 0);
    const store = await openStore(tdb.database);
    try {
      const audit = (await store.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);
      assert.deepEqual(audit, ['method.settings.update', 'method.settings.update', 'strength.create', 'strength.delete']);
    } finally {
      await store.close();
    }
  });
}
