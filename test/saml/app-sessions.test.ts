import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { payloadKey } from '../../src/protocols/oidc/adapter.ts';
import { endOidcBrowserSession } from '../../src/protocols/saml/app-sessions.ts';

/**
 * What SAML Single Logout ends on the OIDC side, as RP-initiated logout does:
 * the browser's provider session and the grants it holds, with their tokens,
 * except grants meant to outlive a logout (offline_access); and only for the
 * same person.
 */
for (const engine of ENGINES) {
  test(`Single Logout ends the browser's OIDC session and its grants on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const db = ts.store.db;
    const row = (model: string, id: string, payload: object, grantId: string | null = null, account = 'user-1') => ({
      model, id: payloadKey(id), payload: JSON.stringify(payload), account_id: account, grant_id: grantId ? payloadKey(grantId) : null,
      uid: null, user_code: null, expires_at: null, consumed_at: null,
    });
    await db.insertInto('oidc_payloads').values([
      row('Session', 'browser-session', { accountId: 'user-1', authorizations: { mail: { grantId: 'g-mail' }, backup: { grantId: 'g-backup', persistsLogout: true } } }),
      row('Grant', 'g-mail', {}), row('Grant', 'g-backup', {}),
      row('AccessToken', 'at-mail', {}, 'g-mail'), row('RefreshToken', 'rt-mail', {}, 'g-mail'), row('RefreshToken', 'rt-backup', {}, 'g-backup'),
      row('Session', 'other-session', { accountId: 'user-2' }, null, 'user-2'),
    ]).execute();
    const left = async () => (await db.selectFrom('oidc_payloads').select(['model', 'id']).execute()).map((r) => r.id).sort();

    assert.deepEqual(await endOidcBrowserSession(db, 'other-session', 'user-1'), { grants: 0 }, 'another person\'s session is not touched');
    assert.deepEqual(await endOidcBrowserSession(db, undefined, 'user-1'), { grants: 0 });
    assert.equal((await left()).length, 7);
    assert.deepEqual(await endOidcBrowserSession(db, 'browser-session', 'user-1'), { grants: 1 });
    assert.deepEqual(await left(), ['g-backup', 'other-session', 'rt-backup'].map(payloadKey).sort());
  });
}
