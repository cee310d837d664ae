import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../test/support/engines.ts';
import { insertUser } from '../directory/users.ts';
import { listUserMethods, registeredMethodTypes } from './list.ts';
import { setMethodPolicy } from './policy/check.ts';
import type { Db } from '../store/store.ts';

const now = () => new Date().toISOString();

/** The engine's one-query answer must always agree with the full listing. */
async function assertAgree(db: Db, userId: string, expected: string[]) {
  const listed = [...new Set((await listUserMethods(db, userId)).map((m) => m.type))];
  assert.deepEqual(listed, expected, 'listUserMethods');
  assert.deepEqual(await registeredMethodTypes(db, userId), expected, 'registeredMethodTypes');
}

for (const engine of ENGINES) {
  test(`registered method types agree with the method listing on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const db = ts.store.db;
    const user = await db.transaction().execute((trx) => insertUser(trx, { username: 'fay' }));
    const u = user.id;

    await t.test('nothing registered', () => assertAgree(db, u, []));

    await t.test('password, an active authenticator app; a pending one does not count', async () => {
      await db.insertInto('password_credentials').values({ user_id: u, hash: 'x', created_at: now(), updated_at: now(), last_used_at: null }).execute();
      const totp = { user_id: u, label: 'App', seed_sealed: 's', algorithm: 'SHA1' as const, digits: 6, period: 30, source: 'app' as const, last_step: -1, created_at: now(), activated_at: null, last_used_at: null };
      await db.insertInto('totp_credentials').values({ ...totp, id: 'pending', status: 'pending' }).execute();
      await assertAgree(db, u, ['password']);
      await db.insertInto('totp_credentials').values({ ...totp, id: 'active', status: 'active' }).execute();
      await assertAgree(db, u, ['password', 'totp']);
    });

    await t.test('backup codes count while one is left', async () => {
      await db.insertInto('backup_code_sets').values({ id: 'set', user_id: u, key_sealed: 'k', created_at: now() }).execute();
      await db.insertInto('backup_codes').values([{ set_id: 'set', code_hash: 'a', used_at: now() }, { set_id: 'set', code_hash: 'b', used_at: null }]).execute();
      await assertAgree(db, u, ['password', 'totp', 'backup_code']);
      await db.updateTable('backup_codes').set({ used_at: now() }).where('code_hash', '=', 'b').execute();
      await assertAgree(db, u, ['password', 'totp']);
    });

    await t.test('a key, an active push device (a revoked one does not count), phone numbers by channel', async () => {
      await db.insertInto('webauthn_credentials').values({
        id: 'key', user_id: u, credential_id: 'cred', public_key: 'pk', name: 'Key', kind: 'security_key', aaguid: '00000000-0000-0000-0000-000000000000',
        transports: '[]', attestation_format: 'none', discoverable: 0, user_verified: 1, backup_eligible: 0, backed_up: 0, sign_count: 0, created_at: now(), last_used_at: null,
      }).execute();
      await db.insertInto('push_credentials').values({ id: 'phone-app', user_id: u, device_id: 'd', label: 'Phone', public_key: 'pk', status: 'revoked', created_at: now(), last_used_at: null }).execute();
      await assertAgree(db, u, ['password', 'totp', 'webauthn']);
      await db.updateTable('push_credentials').set({ status: 'active' }).where('id', '=', 'phone-app').execute();
      const phone = { user_id: u, number: '+15550100', created_at: now(), verified_at: now(), last_used_at: null };
      await db.insertInto('phone_numbers').values([
        { ...phone, id: 'p-sms', channel: 'sms', status: 'active' },
        { ...phone, id: 'p-voice', channel: 'voice', status: 'pending' },
      ]).execute();
      await assertAgree(db, u, ['password', 'totp', 'webauthn', 'push', 'sms']);
    });

    await t.test('a method the methods policy switches off no longer counts', async () => {
      await setMethodPolicy(ts.store, 'sms', { enabled: false }, { actor: 'test' });
      await assertAgree(db, u, ['password', 'totp', 'webauthn', 'push']);
    });
  });
}
