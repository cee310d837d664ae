import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ENGINES, engineSkip, openTestStore, createTestDatabase } from '../../test/support/engines.ts';
import { openStore } from '../store/store.ts';
import { migrateToLatest, migrator } from '../store/migrate.ts';
import { ConflictError, InvalidInputError, NotFoundError, RefusedError } from './errors.ts';
import { authenticateApiToken, createApiToken, listApiTokens, ownerLabel, revokeApiToken } from './api-tokens.ts';
import { grantRole, revokeRole } from './role-grants.ts';
import { ROLE_PERMISSIONS } from './roles.ts';
import { createUser, deleteUser, disableUser } from './users.ts';

const by = { actor: 'test:tokens' };
const DAY = 86_400_000;
const daysFromNow = (iso: string | null) => Math.round((Date.parse(iso!) - Date.now()) / DAY);

for (const engine of ENGINES) {
  test(`API tokens on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;

    await t.test('issued once, stored hashed, authenticates with its role', async () => {
      const issued = await createApiToken(store, { role: 'auditor', name: 'evidence bot' }, by);
      assert.match(issued.token, /^tsk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
      const row = await store.db.selectFrom('api_tokens').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(issued.token.split('_').slice(2).join('_')), 'the secret is not stored');
      const who = await authenticateApiToken(store, issued.token, { ip: '192.0.2.1' });
      assert.deepEqual(who, { id: issued.id, name: 'evidence bot', role: 'auditor', permissions: [...ROLE_PERMISSIONS.auditor], ownerId: null });
      const used = await store.db.selectFrom('api_tokens').select(['last_used_at', 'last_used_ip']).where('id', '=', issued.id).executeTakeFirstOrThrow();
      assert.ok(used.last_used_at);
      assert.equal(used.last_used_ip, '192.0.2.1');
      await authenticateApiToken(store, issued.token, { ip: '2001:db8::7' });
      const [listed] = (await listApiTokens(store.db)).filter((x) => x.id === issued.id);
      assert.equal(listed!.lastUsedAddress, '2001:db8::7', 'a new address is kept at once, not after a minute');
      const entry = await store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(entry.action, 'token.create');
      assert.ok(!entry.after_json!.includes(issued.token));
    });

    await t.test('wrong secret, malformed, revoked and expired tokens do not authenticate', async () => {
      const issued = await createApiToken(store, { role: 'helpdesk' }, by);
      assert.equal(issued.name, 'helpdesk token');
      const wrong = issued.token.slice(0, -4) + (issued.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      assert.equal(await authenticateApiToken(store, wrong), null);
      assert.equal(await authenticateApiToken(store, 'tsk_nonsense'), null);
      assert.equal(await authenticateApiToken(store, ''), null);
      const expiring = await createApiToken(store, { role: 'helpdesk', expiresInDays: 1 }, by);
      assert.ok(await authenticateApiToken(store, expiring.token));
      const later = new Date(Date.now() + 2 * DAY);
      assert.equal(await authenticateApiToken(store, expiring.token, { now: later }), null);
      assert.equal((await listApiTokens(store.db, { now: later })).find((x) => x.id === expiring.id)!.state, 'expired');
      await revokeApiToken(store, issued.id, by);
      assert.equal(await authenticateApiToken(store, issued.token), null);
      await assert.rejects(revokeApiToken(store, issued.id, by), ConflictError);
      await assert.rejects(revokeApiToken(store, 'f'.repeat(32), by), NotFoundError);
      assert.equal((await listApiTokens(store.db)).length, 2);
      const all = await listApiTokens(store.db, { includeRevoked: true });
      assert.equal(all.length, 3);
      assert.equal(all.find((x) => x.id === issued.id)!.state, 'revoked');
    });

    await t.test('every token expires: 90 days by default, at most a year', async () => {
      assert.equal(daysFromNow((await createApiToken(store, { role: 'auditor' }, by)).expiresAt), 90);
      assert.equal(daysFromNow((await createApiToken(store, { role: 'auditor', expiresInDays: 365 }, by)).expiresAt), 365);
      const at = new Date(Date.now() + 10 * DAY).toISOString();
      assert.equal((await createApiToken(store, { role: 'auditor', expiresAt: at }, by)).expiresAt, at);
      await assert.rejects(createApiToken(store, { role: 'auditor', expiresInDays: 366 }, by), /at most 365 days/);
      const tooLate = new Date(Date.now() + 366 * DAY).toISOString();
      await assert.rejects(createApiToken(store, { role: 'auditor', expiresAt: tooLate }, by), (e: Error) => e instanceof InvalidInputError && /at most 365 days/.test(e.message));
      const past = new Date(Date.now() - DAY).toISOString();
      await assert.rejects(createApiToken(store, { role: 'auditor', expiresAt: past }, by), /in the future/);
      await assert.rejects(createApiToken(store, { role: 'auditor', expiresAt: at, expiresInDays: 3 }, by), /not both/);
    });

    await t.test('a creator cannot mint a token stronger than itself', async () => {
      await assert.rejects(
        createApiToken(store, { role: 'global_admin' }, by, ROLE_PERMISSIONS.security_admin),
        (err: Error) => err instanceof RefusedError && /tokens:write/.test(err.message),
      );
      assert.ok(await createApiToken(store, { role: 'auditor' }, by, ROLE_PERMISSIONS.global_admin));
    });

    await t.test('an owner answers for the token: no more than they hold, and only while active', async () => {
      const ana = await createUser(store, { username: 'ana', displayName: 'Ana Ortiz' }, by);
      await grantRole(store, 'ana', 'helpdesk', by);
      const mine = await createApiToken(store, { role: 'helpdesk', name: 'desk' }, { actor: `user:${ana.id}` });
      assert.deepEqual(mine.owner, { id: ana.id, username: 'ana', active: true }, 'a person calling owns what they create');
      await assert.rejects(createApiToken(store, { role: 'global_admin', owner: 'ana' }, by), (e: Error) => e instanceof RefusedError && /which ana does not/.test(e.message));
      await assert.rejects(createApiToken(store, { role: 'auditor', owner: 'nobody' }, by), (e: Error) => e instanceof InvalidInputError && /no account nobody/.test(e.message));
      await createUser(store, { username: 'robot', kind: 'service' }, by);
      await assert.rejects(createApiToken(store, { role: 'auditor', owner: 'robot' }, by), /must be a person/);
      assert.equal((await authenticateApiToken(store, mine.token))?.ownerId, ana.id);

      await revokeRole(store, 'ana', 'helpdesk', by);
      assert.equal(await authenticateApiToken(store, mine.token), null, 'the owner no longer holds the role');
      assert.equal((await listApiTokens(store.db)).find((x) => x.id === mine.id)!.state, 'owner_inactive');
      await grantRole(store, 'ana', 'helpdesk', by);
      assert.ok(await authenticateApiToken(store, mine.token));

      await disableUser(store, 'ana', by);
      assert.equal(await authenticateApiToken(store, mine.token), null, 'a disabled owner');
      await assert.rejects(createApiToken(store, { role: 'auditor', owner: 'ana' }, by), /disabled/);
      const listed = (await listApiTokens(store.db)).find((x) => x.id === mine.id)!;
      assert.equal(ownerLabel(listed.owner), 'ana (disabled)');
      await deleteUser(store, 'ana', by);
      assert.equal(await authenticateApiToken(store, mine.token), null, 'a deleted owner');
      assert.equal(ownerLabel((await listApiTokens(store.db)).find((x) => x.id === mine.id)!.owner), 'a deleted account');
      assert.equal(ownerLabel(null), 'no owner (created before owners)');
    });
  });

  test(`migration 0160 gives older tokens an expiry on ${engine}`, engineSkip(engine), async (t) => {
    const tdb = await createTestDatabase(engine);
    const store = await openStore(tdb.database, { migrate: false });
    t.after(async () => {
      await store.close();
      await tdb.drop();
    });
    const before = readdirSync(new URL('../store/migrations/', import.meta.url)).filter((f) => /^\d{4}_/.test(f) && f < '0160').sort().at(-1)!;
    const { error } = await migrator(store).migrateTo(before.replace(/\.ts$/, ''));
    assert.ifError(error);
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    const legacy = (id: string, created: string, expires: string | null) => ({
      id, name: id, role: 'auditor', secret_hash: 'x', created_at: created, created_by: 'test', expires_at: expires, revoked_at: null, last_used_at: null,
    });
    const rows = [legacy('recent', ago(10), null), legacy('old', ago(400), null), legacy('forever', ago(10), ago(-3000)), legacy('soon', ago(10), ago(-5))];
    await (store.db as unknown as import('kysely').Kysely<{ api_tokens: ReturnType<typeof legacy> }>).insertInto('api_tokens').values(rows).execute();
    await migrateToLatest(store);
    const tokens = new Map((await listApiTokens(store.db)).map((x) => [x.id, x]));
    assert.equal(daysFromNow(tokens.get('recent')!.expiresAt), 80, 'created + 90 days');
    assert.equal(daysFromNow(tokens.get('old')!.expiresAt), 30, 'never less than 30 days from now');
    assert.equal(daysFromNow(tokens.get('forever')!.expiresAt), 355, 'brought under the one-year cap');
    assert.equal(daysFromNow(tokens.get('soon')!.expiresAt), 5, 'an expiry within the cap stays');
    assert.equal(tokens.get('recent')!.owner, null);
  });
}
