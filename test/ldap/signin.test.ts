import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { checkDirectoryPassword } from '../../src/protocols/ldap/password.ts';
import { PASSWORDS, PEOPLE, SYNC_PW, slapdSkip, startSlapd } from './slapd.ts';
import { settingsFor } from './support.ts';

const LOCAL_PASSWORD = 'tangerine lighthouse orbit';

/**
 * A source that checks passwords in the directory, configured and synced
 * through the admin API of a running server; then people sign in through the
 * pages with their LDAP password. Wrong passwords are throttled and logged as
 * for local ones; what the source owns is refused with a 409 naming it; a
 * policy on a synced group applies to its members.
 */
for (const engine of ENGINES) {
  test(`LDAP-bind password sign-in, read-only synced attributes, policies on synced groups, on ${engine}`, { ...engineSkip(engine), ...slapdSkip() }, async (t) => {
    const slapd = await startSlapd();
    t.after(() => slapd.stop());
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const { token } = await createApiToken(ctx.store, { role: 'global_admin', name: 'ldap test' }, { actor: 'test' });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}/api/admin${path}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
    };
    const logOf = (username: string) => ctx.store.db.selectFrom('signin_log').selectAll().where('username', '=', username).orderBy('at').execute();

    await t.test('the admin API adds a source (the bind password never comes back) and syncs it', async () => {
      const added = await api('POST', '/directory/sources', { name: 'corp', bindPassword: SYNC_PW, settings: settingsFor(slapd, { passwordBind: true }) });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.ok(!JSON.stringify(added.body).includes(SYNC_PW));
      const plain = await api('POST', '/directory/sources', { name: 'clear', bindPassword: SYNC_PW, settings: { ...settingsFor(slapd), startTls: false } });
      assert.equal(plain.status, 400, 'ldap:// without TLS is refused unless allowed by name');
      assert.match(plain.body.message, /in clear/);
      const dry = await api('POST', '/directory/sources/corp/sync?dryRun=true');
      assert.equal(dry.status, 200);
      assert.equal(dry.body.counts.create, 4);
      const done = await api('POST', '/directory/sources/corp/sync');
      assert.equal(done.body.counts.create, 4);
      const updated = await api('PUT', '/directory/sources/corp', { settings: settingsFor(slapd, { passwordBind: true, intervalMinutes: 0 }), bindPassword: SYNC_PW });
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const shown = await api('GET', '/directory/sources/corp');
      assert.deepEqual(shown.body.runs.map((r: { dryRun: boolean }) => r.dryRun), [false, true]);
      const entry = await ctx.store.db.selectFrom('audit_log').select('after_json').where('action', '=', 'directory.source.add').executeTakeFirstOrThrow();
      assert.ok(!entry.after_json!.includes(SYNC_PW), 'the bind password is not audited');
    });

    await t.test('a person signs in through the pages with the directory password', async () => {
      const b = new Browserish(server.url);
      const { afterPassword } = await startPortalSignin(b, 'alice', PASSWORDS.alice!);
      assert.equal(afterPassword.location, '/account');
      const last = (await logOf('alice')).at(-1)!;
      assert.equal(last.result, 'success');
      assert.deepEqual(JSON.parse(last.methods_used), ['password']);
      const change = await b.request('GET', '/account/password');
      assert.equal(change.status, 409, 'the password is changed in the directory, not on the account page');
      assert.match(change.body, /kept in your organisation’s directory/);
    });

    await t.test('the password is the directory\'s: changed there, the old one stops working at once', async () => {
      slapd.modify(`dn: uid=alice,${PEOPLE}\nchangetype: modify\nreplace: userPassword\nuserPassword: alice-new-pass-22\n`);
      const old = await startPortalSignin(new Browserish(server.url), 'alice', PASSWORDS.alice!);
      assert.notEqual(old.afterPassword.location, '/account');
      assert.match(old.afterPassword.body, /Incorrect username or password/);
      const fresh = await startPortalSignin(new Browserish(server.url), 'alice', 'alice-new-pass-22');
      assert.equal(fresh.afterPassword.location, '/account');
    });

    await t.test('wrong passwords are logged and throttled as local ones: after five, even the right one waits', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await startPortalSignin(new Browserish(server.url), 'bob', `wrong-${i}`);
        assert.match(r.afterPassword.body, /Incorrect username or password/);
      }
      await createUserWithPassword(ctx, 'frank', LOCAL_PASSWORD);
      await startPortalSignin(new Browserish(server.url), 'frank', 'wrong-local');
      const local = (await logOf('frank')).at(-1)!;
      const rows = await logOf('bob');
      assert.equal(rows.length, 5);
      for (const r of rows) assert.deepEqual([r.result, r.reason, r.methods_tried], [local.result, local.reason, local.methods_tried], 'logged as a local wrong password');
      const b = new Browserish(server.url);
      const right = await startPortalSignin(b, 'bob', PASSWORDS.bob!);
      assert.notEqual(right.afterPassword.location, '/account', 'throttled before the directory is asked');
      assert.equal(right.afterPassword.status, 429);
      assert.match(right.afterPassword.body, /Too many attempts\. Wait \d+ seconds/);
      assert.equal((await logOf('bob')).at(-1)!.result, 'locked');
      const throttle = await ctx.store.db.selectFrom('method_throttle').select('failures').where('method', '=', 'password').where('user_id', '=', rows[0]!.user_id!).executeTakeFirstOrThrow();
      assert.equal(Number(throttle.failures), 5);
    });

    await t.test('an empty password never signs in (an unauthenticated bind), nor does an unreachable directory; the log line names the source only', async () => {
      const alice = await ctx.store.db.selectFrom('users').select('id').where('username', '=', 'alice').executeTakeFirstOrThrow();
      const lines: unknown[] = [];
      const logger = { warn: (...args: unknown[]) => lines.push(args) } as unknown as typeof ctx.logger;
      assert.equal(await checkDirectoryPassword({ store: ctx.store, logger }, alice.id, ''), false);
      const closed = { ...settingsFor(slapd, { passwordBind: true }), url: 'ldap://127.0.0.1:9' };
      await ctx.store.db.updateTable('ldap_sources').set({ settings: JSON.stringify(closed) }).execute();
      assert.equal(await checkDirectoryPassword({ store: ctx.store, logger }, alice.id, 'alice-new-pass-22'), false);
      await ctx.store.db.updateTable('ldap_sources').set({ settings: JSON.stringify(settingsFor(slapd, { passwordBind: true })) }).execute();
      assert.equal(lines.length, 1);
      assert.ok(!JSON.stringify(lines).includes('alice-new-pass-22'));
      assert.match(JSON.stringify(lines), /corp/);
    });

    await t.test('each person and group says where it comes from', async () => {
      await createUserWithPassword(ctx, 'erin', LOCAL_PASSWORD);
      const alice = await api('GET', '/users/alice');
      assert.deepEqual(alice.body.origin, { kind: 'ldap', name: 'corp', dn: `uid=alice,${PEOPLE}`, passwordInDirectory: true });
      assert.deepEqual((await api('GET', '/users/erin')).body.origin, { kind: 'local' });
      const groups = await api('GET', '/groups');
      const engineering = groups.body.items.find((g: { name: string }) => g.name === 'engineering');
      assert.equal(engineering.origin.kind, 'ldap');
      assert.equal(engineering.origin.name, 'corp');
      const scimToken = await createApiToken(ctx.store, { role: 'provisioning', name: 'HR system' }, { actor: 'test' });
      const erin = await ctx.store.db.selectFrom('users').select('id').where('username', '=', 'erin').executeTakeFirstOrThrow();
      await ctx.store.db.insertInto('scim_users').values({ user_id: erin.id, source: `scim:${scimToken.id}`, external_id: null, attributes: '{}', updated_at: new Date().toISOString() }).execute();
      assert.deepEqual((await api('GET', '/users/erin')).body.origin, { kind: 'scim', name: 'HR system' });
      const scimOwned = await api('PATCH', '/users/erin', { displayName: 'Erin E' });
      assert.equal(scimOwned.status, 409);
      assert.match(scimOwned.body.message, /erin's display name is kept by the SCIM client HR system: change it there/);
      await ctx.store.db.deleteFrom('scim_users').execute();
    });

    await t.test('a SCIM client cannot change or delete what an LDAP source keeps (the next sync would undo it)', async () => {
      const hr = await createApiToken(ctx.store, { role: 'provisioning', name: 'HR feed' }, { actor: 'test' });
      const scim = (method: string, path: string, body?: unknown) => fetch(`${server.url}/scim/v2${path}`, {
        method, headers: { authorization: `Bearer ${hr.token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const alice = await ctx.store.db.selectFrom('users').select(['id', 'display_name']).where('username', '=', 'alice').executeTakeFirstOrThrow();
      const engineering = await ctx.store.db.selectFrom('groups').select('id').where('name', '=', 'engineering').executeTakeFirstOrThrow();
      const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Someone Else' }] };
      for (const [method, path, body] of [['PATCH', `/Users/${alice.id}`, patch], ['DELETE', `/Users/${alice.id}`, undefined], ['DELETE', `/Groups/${engineering.id}`, undefined]] as const) {
        const res = await scim(method, path, body);
        assert.equal(res.status, 400, `${method} ${path}`);
        const error = (await res.json()) as { scimType: string; detail: string };
        assert.equal(error.scimType, 'mutability', error.detail);
        assert.match(error.detail, /kept by the LDAP source corp: change it there/);
      }
      const after = await ctx.store.db.selectFrom('users').select('display_name').where('id', '=', alice.id).executeTakeFirstOrThrow();
      assert.equal(after.display_name, alice.display_name);
      assert.ok(await ctx.store.db.selectFrom('groups').select('id').where('id', '=', engineering.id).executeTakeFirst());
    });

    await t.test('what the source owns is read-only: a 409 that names the source; what it does not own can change', async () => {
      const email = await api('PATCH', '/users/alice', { email: 'elsewhere@example.org' });
      assert.equal(email.status, 409);
      assert.match(email.body.message, /alice's email address is kept by the LDAP source corp: change it there/);
      const password = await api('PUT', '/users/alice/password', { password: 'a brand new long password' });
      assert.equal(password.status, 409);
      assert.match(password.body.message, /alice's password is kept by the LDAP source corp/);
      assert.equal((await api('POST', '/users/alice/disable')).status, 409);
      assert.equal((await api('DELETE', '/users/alice')).status, 409);
      const member = await api('POST', '/groups/engineering/members', { userId: 'erin' });
      assert.equal(member.status, 409);
      assert.match(member.body.message, /members of group engineering are kept by the LDAP source corp/);
      assert.equal((await api('DELETE', '/groups/engineering')).status, 409);
      assert.equal((await api('PATCH', '/users/alice', { kind: 'person' })).status, 200, 'the kind is Tessera\'s own');
      assert.equal((await api('PATCH', '/users/erin', { email: 'erin@example.org' })).status, 200, 'a local account is editable');
      const user = await ctx.store.db.selectFrom('users').select('email').where('username', '=', 'alice').executeTakeFirstOrThrow();
      assert.equal(user.email, 'alice@example.org');
    });

    await t.test('a policy can target a synced group: it applies to the group\'s members, nested ones included', async () => {
      await savePolicy(ctx.store, { name: 'Block engineering from the portal', state: 'enabled', assignments: { groups: { include: ['engineering'] }, apps: { include: ['tessera:portal'] } }, grant: { block: true } }, { actor: 'test' }, { confirmLockout: 'test' });
      const carol = await startPortalSignin(new Browserish(server.url), 'carol', PASSWORDS.carol!);
      assert.equal(carol.afterPassword.status, 403, 'carol is in engineering through platform');
      assert.match(carol.afterPassword.body, /Block engineering from the portal/);
      const erin = await startPortalSignin(new Browserish(server.url), 'erin', LOCAL_PASSWORD);
      assert.equal(erin.afterPassword.location, '/account', 'not in the group: not blocked');
    });
  });
}
