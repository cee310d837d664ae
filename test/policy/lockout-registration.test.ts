import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { insertUser } from '../../src/directory/users.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { LockoutRefusedError } from '../../src/policy/store/lockout-gate.ts';
import { updatePolicySettings } from '../../src/policy/store/settings.ts';
import type { Store } from '../../src/store/store.ts';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const by = { actor: 'user:alice-admin' };
const ADMINS_PHISHING_RESISTANT = {
  name: 'Admins need phishing-resistant MFA', state: 'enabled' as const,
  assignments: { users: { include: 'all' as const }, roles: { include: ['global_admin', 'security_admin'] } },
  grant: { strength: 'phishing_resistant_mfa' },
};

async function onlyGlobalAdmin(store: Store): Promise<string> {
  return auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username: 'root' });
    const now = new Date().toISOString();
    await trx.insertInto('password_credentials').values({ user_id: user.id, hash: 'x', created_at: now, updated_at: now }).execute();
    await trx.insertInto('role_assignments').values({ user_id: user.id, role: 'global_admin', granted_at: now, granted_by: 'test' }).execute();
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user.id;
  });
}

/** The lockout check before a policy change, with the people as stored: registration inside a sign-in after MFA is a way in. */
for (const engine of ENGINES) {
  test(`"admins need phishing-resistant MFA" and the only global admin on ${engine}`, engineSkip(engine), async (t) => {
    await t.test('with password + TOTP and no key yet: accepted (the passkey is registered on the spot after MFA)', async () => {
      const ts = await openTestStore(engine);
      t.after(() => ts.close());
      const rootId = await onlyGlobalAdmin(ts.store);
      await importTotp({ store: ts.store, secrets: new SecretBox(randomBytes(32)) }, rootId, { secretBase32: SECRET, actor: 'test' });
      const saved = await savePolicy(ts.store, ADMINS_PHISHING_RESISTANT, by);
      assert.equal(saved.value.state, 'enabled');
      assert.deepEqual(saved.lockout.strandedUsers, []);
    });

    await t.test('with a password only while passes are off: still refused', async () => {
      const ts = await openTestStore(engine);
      t.after(() => ts.close());
      await onlyGlobalAdmin(ts.store);
      await updatePolicySettings(ts.store, { bootstrapMethods: [] }, by);
      await assert.rejects(savePolicy(ts.store, ADMINS_PHISHING_RESISTANT, by, { confirmLockout: 'go ahead anyway' }), (err: unknown) => {
        assert.ok(err instanceof LockoutRefusedError, String(err));
        assert.match(err.message, /every global admin/);
        return true;
      });
      // With passes on, the same admin signs in with one and registers a key.
      await updatePolicySettings(ts.store, { bootstrapMethods: ['tap'] }, by);
      assert.deepEqual((await savePolicy(ts.store, ADMINS_PHISHING_RESISTANT, by)).lockout.strandedUsers, []);
    });
  });
}
