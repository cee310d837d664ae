import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { createTestDatabase, ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { openStore } from '../../src/store/store.ts';
import { migrateToLatest, migrator } from '../../src/store/migrate.ts';
import { StoreAdapter, revokeAllForAccount } from '../../src/protocols/oidc/adapter.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { authorize, startOidcServer } from './support.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const insecure = { execute: [oidc.allowInsecureRequests] };
const mode = (path: string) => statSync(path).mode & 0o777;

test('the SQLite files are readable by their owner only, and the data directory too', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'tessera-modes-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const dir = join(parent, 'data');
  const file = join(dir, 'tessera.sqlite');
  let store = await openStore({ engine: 'sqlite', file });
  await store.db.insertInto('oidc_payloads').values({ model: 'T', id: 'x', payload: '{}', account_id: null, grant_id: null, uid: null, user_code: null, expires_at: null, consumed_at: null }).execute();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    assert.ok(existsSync(f), f);
    assert.equal(mode(f).toString(8), '600', f);
  }
  assert.equal(mode(dir).toString(8), '700');
  await store.close();

  // Files left readable by an older version are tightened when the server opens them.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o644);
  chmodSync(dir, 0o755);
  store = await openStore({ engine: 'sqlite', file });
  await store.db.selectFrom('oidc_payloads').select('id').execute();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) assert.equal(mode(f).toString(8), '600', f);
  assert.equal(mode(dir).toString(8), '700');
  await store.close();
});

for (const engine of ENGINES) {
  test(`the database holds no usable code, token or session id on ${engine}`, engineSkip(engine), async (t) => {
    const testStore = await openTestStore(engine);
    const server = await startOidcServer(engine, { testStore });
    t.after(async () => {
      await server.close();
      await testStore.close();
    });
    const { ctx } = server;
    const app = await createClient(ctx.store, { clientId: 'mail', name: 'Mail', redirectUris: [REDIRECT] }, { actor: 'test' });
    const config = await oidc.discovery(new URL(server.url), 'mail', app.clientSecret, undefined, insecure);
    const alice = await createUserWithPassword(ctx, 'alice', 'violet tangerine lighthouse');

    const { callback, verifier, state, jar } = await authorize(config, REDIRECT, alice.id, { scope: 'openid offline_access', prompt: 'consent' });
    const code = callback.searchParams.get('code')!;
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const opSession = jar.cookies.get('tessera_op_session')!;
    const secrets = { code, access: tokens.access_token, refresh: tokens.refresh_token!, refreshed: refreshed.refresh_token!, newAccess: refreshed.access_token, opSession };
    for (const [what, value] of Object.entries(secrets)) assert.ok(value && value.length >= 20, what);

    const rows = JSON.stringify(await ctx.store.db.selectFrom('oidc_payloads').selectAll().execute());
    for (const [what, value] of Object.entries(secrets)) assert.ok(!rows.includes(value), `${what} is not in oidc_payloads`);
    if (testStore.database.engine === 'sqlite') {
      const file = testStore.database.file;
      const bytes = [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
      for (const [what, value] of Object.entries(secrets)) assert.ok(!bytes.includes(value), `${what} is not in the database files`);
    }

    // Hashed keys are still keys: the live tokens work, the used ones do not.
    assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, true);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), 'the rotated refresh token is spent');
  });

  test(`migration 0100 converts rows stored under their ids on ${engine}`, engineSkip(engine), async (t) => {
    const tdb = await createTestDatabase(engine);
    const store = await openStore(tdb.database, { migrate: false });
    t.after(async () => {
      await store.close();
      await tdb.drop();
    });
    const names = (await migrator(store).getMigrations()).map((m) => m.name).filter((n) => n < '0100');
    const { error } = await migrator(store).migrateTo(names.at(-1)!);
    assert.equal(error, undefined);
    const later = new Date(Date.now() + 600_000).toISOString();
    const row = (model: string, id: string, payload: Record<string, unknown>, extra: { grant_id?: string; uid?: string; expires_at?: string } = {}) => ({
      model, id, payload: JSON.stringify({ jti: id, ...payload }), account_id: 'u1', grant_id: extra.grant_id ?? null, uid: extra.uid ?? null,
      user_code: null, expires_at: extra.expires_at ?? later, consumed_at: null,
    });
    await store.db.insertInto('oidc_payloads').values([
      row('Grant', 'legacy-grant', { accountId: 'u1', clientId: 'mail' }),
      row('RefreshToken', 'legacy-refresh-token', { accountId: 'u1', grantId: 'legacy-grant' }, { grant_id: 'legacy-grant' }),
      row('Session', 'legacy-session', { accountId: 'u1', uid: 'legacy-uid' }, { uid: 'legacy-uid' }),
      row('AccessToken', 'legacy-expired', { accountId: 'u1' }, { expires_at: new Date(Date.now() - 1000).toISOString() }),
    ]).execute();

    await migrateToLatest(store);

    const text = JSON.stringify(await store.db.selectFrom('oidc_payloads').selectAll().execute());
    for (const id of ['legacy-refresh-token', 'legacy-session', 'legacy-expired']) assert.ok(!text.includes(id), id);
    const refresh = await new StoreAdapter(store, 'RefreshToken').find('legacy-refresh-token');
    assert.equal(refresh?.jti, 'legacy-refresh-token', 'found by its value, with its id given back');
    assert.equal((await new StoreAdapter(store, 'Session').find('legacy-session'))?.uid, 'legacy-uid');
    assert.ok(await new StoreAdapter(store, 'Session').findByUid('legacy-uid'));
    assert.deepEqual(await revokeAllForAccount(store, 'u1'), { sessions: 1, grants: 1, tokens: 1 }, 'tokens still join to their grant');
  });
}
