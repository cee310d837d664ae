import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { addPerson, recoveryContext } from './support.ts';
import { createDevice } from '../../src/directory/devices.ts';
import { DirectoryError } from '../../src/directory/errors.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { generateBackupCodes } from '../../src/methods/backup-codes/index.ts';
import { listUserMethods } from '../../src/methods/list.ts';
import { createSession } from '../../src/signin/session/sessions.ts';
import { listAlerts } from '../../src/monitor/alerts.ts';
import {
  bindMethodToDevice, credentialsOnDevice, offboardUser, presentBoundTables, replaceDevice, reportDeviceLost, retireDevice,
} from '../../src/recovery/devices/index.ts';
import { isOnRecoveryHold } from '../../src/recovery/holds.ts';
import type { AppContext } from '../../src/app/context.ts';

const by = { actor: 'test:helpdesk' };
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const TIMEOUTS = { idleSeconds: 3600, absoluteSeconds: 12 * 3600 };

async function appToken(ctx: AppContext, userId: string): Promise<void> {
  // What oidc-provider stores for a signed-in app: a grant and its refresh token.
  const grant = randomUUID();
  for (const [model, id] of [['Grant', grant], ['RefreshToken', randomUUID()]] as const) {
    await ctx.store.db.insertInto('oidc_payloads').values({
      model, id, payload: '{}', account_id: userId, grant_id: grant, uid: null, user_code: null, expires_at: null, consumed_at: null,
    }).execute();
  }
}

async function liveSessions(ctx: AppContext, userId: string): Promise<number> {
  const rows = await ctx.store.db.selectFrom('idp_sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  return rows.length;
}

async function appRows(ctx: AppContext, userId: string): Promise<number> {
  return (await ctx.store.db.selectFrom('oidc_payloads').select('id').where('account_id', '=', userId).execute()).length;
}

for (const engine of ENGINES) {
  test(`device lifecycle on ${engine}`, engineSkip(engine), async (t) => {
    const r = await recoveryContext(engine);
    t.after(() => r.close());
    const { ctx } = r;

    await t.test('a lost device revokes exactly its methods, and all sessions and app tokens of its owner', async () => {
      const lucy = await addPerson(ctx, 'lucy');
      const other = await addPerson(ctx, 'other');
      const phone = await createDevice(ctx.store, { userId: lucy.id, label: 'Lucy phone', platform: 'ios' }, by);
      const tablet = await createDevice(ctx.store, { userId: lucy.id, label: 'Lucy tablet' }, by);
      const onPhone = await importTotp(ctx, lucy.id, { secretBase32: SECRET, label: 'Phone app', actor: 'test' });
      const onTablet = await importTotp(ctx, lucy.id, { secretBase32: SECRET, label: 'Tablet app', actor: 'test' });
      await generateBackupCodes(ctx, lucy.id, { actor: 'test' });
      await bindMethodToDevice(ctx.store, { deviceId: phone.id, type: 'totp', credentialId: onPhone.credentialId }, by);
      await bindMethodToDevice(ctx.store, { deviceId: tablet.id, type: 'totp', credentialId: onTablet.credentialId }, by);
      for (const userId of [lucy.id, lucy.id, other.id]) {
        await createSession(ctx.store.db, { userId, amr: ['pwd'], acr: 'urn:tessera:acr:pwd', mfa: false }, TIMEOUTS);
      }
      await appToken(ctx, lucy.id);
      await appToken(ctx, other.id);

      const result = await reportDeviceLost(ctx, phone.id, { ...by, reportedBy: 'helpdesk' });
      assert.equal(result.device.status, 'lost');
      assert.deepEqual(result.removedMethods.map((m) => [m.type, m.id, m.label]), [['totp', onPhone.credentialId, 'Phone app']]);
      assert.equal(result.sessions, 2);
      assert.equal(result.grants, 1);
      assert.equal(result.appCredentials, 1);
      assert.equal(result.onHold, false);
      const left = await listUserMethods(ctx.store.db, lucy.id);
      assert.deepEqual(left.map((m) => m.type).sort(), ['backup_code', 'totp']);
      assert.equal(left.find((m) => m.type === 'totp')!.id, onTablet.credentialId, 'the tablet keeps its authenticator');
      assert.equal(await liveSessions(ctx, lucy.id), 0);
      assert.equal(await appRows(ctx, lucy.id), 0);
      assert.equal(await liveSessions(ctx, other.id), 1, 'nobody else is signed out');
      assert.equal(await appRows(ctx, other.id), 2);
      const alerts = await listAlerts(ctx.store.db, { kind: 'device.lost' });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.severity, 'medium');
      assert.equal(alerts[0]!.username, 'lucy');
      const audit = (await ctx.store.db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((a) => a.action);
      for (const a of ['device.lost', 'method.totp.remove', 'session.revoke_all', 'method.device.bind']) assert.ok(audit.includes(a), a);
    });

    await t.test('passkeys and push keys on a lost device go with it', async () => {
      const kim = await addPerson(ctx, 'kim');
      const phone = await createDevice(ctx.store, { userId: kim.id, label: 'Kim phone' }, by);
      const laptop = await createDevice(ctx.store, { userId: kim.id, label: 'Kim laptop' }, by);
      const now = new Date().toISOString();
      const passkey = (id: string) => ({
        id, user_id: kim.id, credential_id: randomUUID(), public_key: 'pk', name: `Passkey ${id.slice(0, 4)}`, kind: 'passkey', aaguid: '00000000-0000-0000-0000-000000000000',
        transports: '[]', attestation_format: 'none', discoverable: 1, user_verified: 1, backup_eligible: 0, backed_up: 0, sign_count: 0, created_at: now, last_used_at: null,
      });
      const [onPhone, onLaptop, pushKey] = [randomUUID(), randomUUID(), randomUUID()];
      await ctx.store.db.insertInto('webauthn_credentials' as never).values([passkey(onPhone), passkey(onLaptop)] as never).execute();
      await ctx.store.db.insertInto('push_credentials' as never).values({ id: pushKey, user_id: kim.id, device_id: phone.id, label: 'Kim phone push', public_key: '{}', status: 'active', created_at: now, last_used_at: null } as never).execute();
      await bindMethodToDevice(ctx.store, { deviceId: phone.id, type: 'webauthn', credentialId: onPhone }, by);
      await bindMethodToDevice(ctx.store, { deviceId: laptop.id, type: 'webauthn', credentialId: onLaptop }, by);
      const tables = await presentBoundTables(ctx.store.db);
      assert.deepEqual(tables.map((x) => x.method).sort(), ['push', 'totp', 'webauthn']);
      const result = await reportDeviceLost(ctx, phone.id, { ...by, reportedBy: 'helpdesk' });
      assert.deepEqual(result.removedMethods.map((m) => [m.type, m.id]).sort(), [['push', pushKey], ['webauthn', onPhone]].sort());
      const left = await ctx.store.db.selectFrom('webauthn_credentials' as never).select('id' as never).where('user_id' as never, '=', kim.id as never).execute();
      assert.deepEqual(left.map((r) => (r as { id: string }).id), [onLaptop]);
      const push = await ctx.store.db.selectFrom('push_credentials' as never).select('id' as never).where('user_id' as never, '=', kim.id as never).execute();
      assert.equal(push.length, 0);
    });

    await t.test('the last second factor gone: back in only with a pass, never the password alone', async () => {
      const solo = await addPerson(ctx, 'solo');
      const phone = await createDevice(ctx.store, { userId: solo.id, label: 'Only phone' }, by);
      const totp = await importTotp(ctx, solo.id, { secretBase32: SECRET, actor: 'test' });
      await bindMethodToDevice(ctx.store, { deviceId: phone.id, type: 'totp', credentialId: totp.credentialId }, by);
      const lost = await reportDeviceLost(ctx, phone.id, { actor: `user:${solo.id}`, reportedBy: 'user', ownerId: solo.id });
      assert.equal(lost.onHold, true);
      assert.equal(await isOnRecoveryHold(ctx.store.db, solo.id), true, 'the decision then refuses a password-only sign-in (src/policy/access/decide.test.ts)');
    });

    await t.test('a user reports only their own devices; a privileged owner raises a high alert', async () => {
      const amy = await addPerson(ctx, 'amy', ['global_admin']);
      const mine = await createDevice(ctx.store, { userId: amy.id, label: 'Admin phone' }, by);
      const stranger = await addPerson(ctx, 'stranger');
      await assert.rejects(reportDeviceLost(ctx, mine.id, { actor: `user:${stranger.id}`, reportedBy: 'user', ownerId: stranger.id }), (e) => e instanceof DirectoryError && e.kind === 'not_found');
      await reportDeviceLost(ctx, mine.id, { ...by, reportedBy: 'helpdesk' });
      const [alert] = await listAlerts(ctx.store.db, { userId: amy.id });
      assert.equal(alert!.severity, 'high');
    });

    await t.test('retire and replace remove the old device\'s methods but sign nobody out', async () => {
      const pete = await addPerson(ctx, 'pete');
      const old = await createDevice(ctx.store, { userId: pete.id, label: 'Old phone' }, by);
      const totp = await importTotp(ctx, pete.id, { secretBase32: SECRET, actor: 'test' });
      const keep = await importTotp(ctx, pete.id, { secretBase32: SECRET, label: 'Desk token', actor: 'test' });
      await bindMethodToDevice(ctx.store, { deviceId: old.id, type: 'totp', credentialId: totp.credentialId }, by);
      await createSession(ctx.store.db, { userId: pete.id, amr: ['pwd'], acr: 'urn:tessera:acr:pwd', mfa: false }, TIMEOUTS);
      const { device, retired } = await replaceDevice(ctx.store, old.id, { label: 'New phone', platform: 'android' }, by);
      assert.equal(device.status, 'active');
      assert.equal(device.userId, pete.id);
      assert.equal(retired.device.status, 'retired');
      assert.deepEqual(retired.removedMethods.map((m) => m.id), [totp.credentialId]);
      assert.deepEqual((await listUserMethods(ctx.store.db, pete.id)).filter((m) => m.type === 'totp').map((m) => m.id), [keep.credentialId]);
      assert.equal(await liveSessions(ctx, pete.id), 1);
      await assert.rejects(retireDevice(ctx.store, old.id, by), /already retired/);
      await assert.rejects(reportDeviceLost(ctx, old.id, { ...by, reportedBy: 'helpdesk' }), /retired device cannot be reported lost/);
      await assert.rejects(bindMethodToDevice(ctx.store, { deviceId: old.id, type: 'totp', credentialId: keep.credentialId }, by), /retired: bind methods to an active device/);
      await assert.rejects(bindMethodToDevice(ctx.store, { deviceId: device.id, type: 'backup_code', credentialId: 'x' }, by), /cannot be bound to a device/);
      const someone = await addPerson(ctx, 'someone');
      const theirs = await importTotp(ctx, someone.id, { secretBase32: SECRET, actor: 'test' });
      await assert.rejects(bindMethodToDevice(ctx.store, { deviceId: device.id, type: 'totp', credentialId: theirs.credentialId }, by), /owner has no totp credential/);
      const tables = await presentBoundTables(ctx.store.db);
      assert.ok(tables.some((x) => x.table === 'totp_credentials'));
      assert.deepEqual(await credentialsOnDevice(ctx.store.db, tables, device.id, pete.id), []);
    });

    await t.test('offboarding retires every device and removes every method, session and app token', async () => {
      const olga = await addPerson(ctx, 'olga');
      await ctx.store.db.insertInto('password_credentials').values({ user_id: olga.id, hash: 'x', created_at: 'now', updated_at: 'now' }).execute();
      const d1 = await createDevice(ctx.store, { userId: olga.id, label: 'Laptop' }, by);
      await createDevice(ctx.store, { userId: olga.id, label: 'Phone' }, by);
      await importTotp(ctx, olga.id, { secretBase32: SECRET, actor: 'test' });
      await generateBackupCodes(ctx, olga.id, { actor: 'test' });
      await createSession(ctx.store.db, { userId: olga.id, amr: ['pwd'], acr: 'urn:tessera:acr:pwd', mfa: false }, TIMEOUTS);
      await appToken(ctx, olga.id);
      const r = await offboardUser(ctx.store, 'olga', { ...by, reason: 'left the company' });
      assert.equal(r.devicesRetired, 2);
      assert.equal(r.methodsRemoved.length, 1);
      assert.equal(r.passwordRemoved, true);
      assert.equal(r.backupCodesRemoved, true);
      assert.equal(r.sessions, 1);
      assert.deepEqual(await listUserMethods(ctx.store.db, olga.id), []);
      assert.equal(await appRows(ctx, olga.id), 0);
      const user = await ctx.store.db.selectFrom('users').select('status').where('id', '=', olga.id).executeTakeFirstOrThrow();
      assert.equal(user.status, 'disabled');
      const dev = await ctx.store.db.selectFrom('devices').select('status').where('id', '=', d1.id).executeTakeFirstOrThrow();
      assert.equal(dev.status, 'retired');
      const only = await addPerson(ctx, 'onlyadmin', ['global_admin']);
      // amy (above) is also a global admin: disable her so onlyadmin is the last one.
      await ctx.store.db.updateTable('users').set({ status: 'disabled' }).where('username', '=', 'amy').execute();
      await assert.rejects(offboardUser(ctx.store, only.username, by), /last active global admin/);
    });
  });
}
