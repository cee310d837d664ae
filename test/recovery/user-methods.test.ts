import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, injectedServer, runCli } from '../foundation/support.ts';
import { addPerson } from './support.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { createDevice } from '../../src/directory/devices.ts';
import { bindMethodToDevice } from '../../src/recovery/devices/bindings.ts';
import type { Db } from '../../src/store/store.ts';

const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';

/** A registered key row as the WebAuthn module stores it (the ceremony itself is covered by the browser tests). */
async function addKeyRow(db: Db, userId: string, name: string, kind: 'passkey' | 'security_key', aaguid: string): Promise<string> {
  const id = randomUUID();
  await db.insertInto('webauthn_credentials').values({
    id, user_id: userId, credential_id: randomUUID().replace(/-/g, ''), public_key: 'AA', name, kind,
    aaguid, transports: '["internal"]', attestation_format: 'none', discoverable: 1, user_verified: 1, backup_eligible: 1, backed_up: 1,
    sign_count: 0, created_at: new Date().toISOString(), last_used_at: null,
  }).execute();
  return id;
}

interface MethodView { id: string; type: string; kind: string; name: string; model: string | null; deviceLabel: string | null; suspendedAt: string | null }

/** The helpdesk sees every registered method of a person with its id, removes one (audited, with a lockout warning) and clears a suspended key. */
for (const engine of ENGINES) {
  test(`a person's methods in the admin record, API and CLI, on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-user-methods-'));
    t.after(async () => {
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { ctx } = s;
    const db = ctx.store.db;
    const token = await s.token('helpdesk');
    const gina = await addPerson(ctx, 'gina', ['global_admin']);
    const phoneKey = await addKeyRow(db, gina.id, 'Phone passkey', 'passkey', ICLOUD);
    const laptopKey = await addKeyRow(db, gina.id, 'Laptop passkey', 'passkey', ICLOUD);
    const app = await importTotp(ctx, gina.id, { secretBase32: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', label: 'Phone app', actor: 'test' });
    const phone = await createDevice(ctx.store, { userId: gina.id, label: 'Gina iPhone' }, { actor: 'test' });
    await bindMethodToDevice(ctx.store, { deviceId: phone.id, type: 'webauthn', credentialId: phoneKey }, { actor: 'test' });

    await t.test('GET /users/{id} lists every method with kind, name, model, device and id', async () => {
      const res = await s.call('GET', '/api/admin/users/gina', { token });
      assert.equal(res.statusCode, 200, res.body);
      const methods = (res.json() as { methods: MethodView[] }).methods;
      const byId = new Map(methods.map((m) => [m.id, m]));
      assert.deepEqual(
        [byId.get(phoneKey), byId.get(laptopKey), byId.get(app.credentialId)].map((m) => m && [m.type, m.kind, m.name, m.model, m.deviceLabel]),
        [['webauthn', 'passkey', 'Phone passkey', 'iCloud Keychain', 'Gina iPhone'], ['webauthn', 'passkey', 'Laptop passkey', 'iCloud Keychain', null], ['totp', 'totp', 'Phone app', null, null]],
      );
      const list = await s.call('GET', '/api/admin/users/gina/methods', { token });
      assert.equal((list.json() as { items: MethodView[] }).items.length, 3);
    });

    await t.test('removing one is audited; the last phishing-resistant one is warned about; bad input is a 4xx', async () => {
      const first = await s.call('DELETE', `/api/admin/users/gina/methods/webauthn/${phoneKey}`, { token });
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual((first.json() as { warnings: string[] }).warnings, []);
      const last = await s.call('DELETE', `/api/admin/users/gina/methods/webauthn/${laptopKey}`, { token });
      assert.equal(last.statusCode, 200, last.body);
      assert.match((last.json() as { warnings: string[] }).warnings.join(' '), /last phishing-resistant method/);
      const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('target', '=', `user:${gina.id}`).where('action', '=', 'method.webauthn.remove').execute();
      assert.equal(audit.length, 2);
      assert.ok(audit.every((a) => a.actor.startsWith('token:')), 'under the token that acted');
      assert.equal((await s.call('DELETE', `/api/admin/users/gina/methods/webauthn/${laptopKey}`, { token })).statusCode, 404);
      assert.equal((await s.call('DELETE', `/api/admin/users/gina/methods/frobnicator/x`, { token })).statusCode, 400);
      assert.equal((await s.call('DELETE', `/api/admin/users/gina/methods/password/${gina.id}`, { token })).statusCode, 404, 'gina has no password');
      assert.equal((await s.call('DELETE', `/api/admin/users/nobody/methods/totp/x`, { token })).statusCode, 404);
      const auditor = await s.token('auditor');
      assert.equal((await s.call('DELETE', `/api/admin/users/gina/methods/totp/${app.credentialId}`, { token: auditor })).statusCode, 403);
    });

    await t.test('a suspended key is shown as such and cleared by the helpdesk (audited)', async () => {
      const key = await addKeyRow(db, gina.id, 'Desk key', 'security_key', '00000000-0000-0000-0000-000000000000');
      await db.updateTable('webauthn_credentials').set({ suspended_at: new Date().toISOString(), suspended_reason: 'clone_detected' }).where('id', '=', key).execute();
      const shown = (await s.call('GET', '/api/admin/users/gina', { token })).json() as { methods: MethodView[] };
      assert.ok(shown.methods.find((m) => m.id === key)!.suspendedAt);
      const cleared = await s.call('POST', `/api/admin/users/gina/methods/webauthn/${key}/clear-suspension`, { token, body: { note: 'user had restored a backup' } });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal((cleared.json() as MethodView).suspendedAt, null);
      assert.equal((await s.call('POST', `/api/admin/users/gina/methods/webauthn/${key}/clear-suspension`, { token })).statusCode, 409);
      const audit = await db.selectFrom('audit_log').select('action').where('target', '=', `user:${gina.id}`).where('action', '=', 'method.webauthn.unsuspend').execute();
      assert.equal(audit.length, 1);
    });

    await t.test('the CLI twins: user show, remove-method, clear-suspension', async () => {
      const env = cliEnv(s.testStore, dataDir);
      const shown = await runCli(['user', 'show', 'gina'], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`totp:${app.credentialId}\\s+totp\\s+"Phone app"`));
      assert.match(shown.stdout, /webauthn:\S+\s+security_key\s+"Desk key"/);
      const key = /webauthn:(\S+)\s+security_key/.exec(shown.stdout)![1]!;
      await db.updateTable('webauthn_credentials').set({ suspended_at: new Date().toISOString() }).where('id', '=', key).execute();
      assert.match((await runCli(['user', 'show', 'gina'], env)).stdout, /SUSPENDED since/);
      const cleared = await runCli(['user', 'clear-suspension', 'gina', `webauthn:${key}`, '--note', 'checked'], env);
      assert.equal(cleared.code, 0, cleared.stderr);
      assert.match(cleared.stdout, /"Desk key" of gina is accepted again/);
      const removed = await runCli(['user', 'remove-method', 'gina', `webauthn:${key}`], env);
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /removed security_key "Desk key" of gina\nwarning: this is their last phishing-resistant method/);
      const bad = await runCli(['user', 'remove-method', 'gina', 'nonsense'], env);
      assert.equal(bad.code, 2);
      const unknown = await runCli(['user', 'remove-method', 'gina', 'totp:nope'], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /gina has no totp method nope/);
      const actors = await db.selectFrom('audit_log').select('actor').where('target', '=', `user:${gina.id}`).where('action', 'in', ['method.webauthn.remove', 'method.webauthn.unsuspend']).orderBy('seq', 'desc').limit(2).execute();
      assert.ok(actors.every((a) => a.actor.startsWith('cli:')));
    });
  });
}
