import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { codeFlow, oauthError, startOidcServer } from '../oidc/support.ts';
import { ScimClient, USER } from './client.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const insecure = { execute: [oidc.allowInsecureRequests] };

/**
 * A leaver disabled in the directory must be out at once: active:false ends
 * every Tessera session and every app token in the same change, and DELETE
 * runs the offboarding lifecycle before the account goes.
 */
for (const engine of ENGINES) {
  test(`SCIM deactivation ends sessions and tokens; delete offboards, on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const app = await createClient(ctx.store, { clientId: 'mail', name: 'Mail', redirectUris: [REDIRECT] }, { actor: 'test' });
    const config = await oidc.discovery(new URL(server.url), 'mail', app.clientSecret, undefined, insecure);
    const provisioning = await createApiToken(ctx.store, { role: 'provisioning', name: 'HR system' }, { actor: 'test' });
    const scim = new ScimClient(`${server.url}/scim/v2`, provisioning.token);
    const created = await scim.create('Users', { schemas: [USER], userName: 'leaver', emails: [{ value: 'leaver@example.com', primary: true }] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id!;
    const live = () => ctx.store.db.selectFrom('idp_sessions').select('id').where('user_id', '=', id).where('revoked_at', 'is', null).execute();

    await t.test('active:false (sent as the string "False", as some directories do) ends sessions and app tokens', async () => {
      const { tokens } = await codeFlow(config, REDIRECT, id, { scope: 'openid offline_access', prompt: 'consent' });
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
      assert.ok((await live()).length >= 1, 'signed in');
      const res = await scim.patch('Users', id, [{ op: 'replace', path: 'active', value: 'False' }]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.active, false);
      assert.equal((await live()).length, 0, 'no Tessera session left');
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false, 'the access token is dead');
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: unknown) => oauthError(err) === 'invalid_grant');
      const entries = await ctx.store.db.selectFrom('audit_log').select(['actor', 'action', 'after_json']).orderBy('seq', 'desc').limit(2).execute();
      assert.deepEqual(entries.map((e) => [e.actor, e.action]).reverse(), [[`token:${provisioning.id}`, 'user.disable'], [`token:${provisioning.id}`, 'session.revoke_all']]);
      assert.equal((JSON.parse(entries[0]!.after_json!) as { reason: string }).reason, 'scim_deactivated');
      const user = await ctx.store.db.selectFrom('users').select('status').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(user.status, 'disabled');
    });

    await t.test('active:true enables again', async () => {
      const res = await scim.patch('Users', id, [{ op: 'replace', value: { active: true } }]);
      assert.equal(res.body.active, true);
    });

    await t.test('the last active global admin and break-glass accounts are out of a directory\'s reach', async () => {
      const admin = await createUserWithPassword(ctx, 'root', 'violet tangerine lighthouse', ['global_admin']);
      const refused = await scim.patch('Users', admin.id, [{ op: 'replace', path: 'active', value: false }]);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(refused.body.detail!, /last active global admin/);
      await ctx.store.db.updateTable('users').set({ kind: 'break_glass' }).where('id', '=', admin.id).execute();
      const glass = await scim.patch('Users', admin.id, [{ op: 'replace', path: 'displayName', value: 'x' }]);
      assert.equal(glass.status, 403, JSON.stringify(glass.body));
      assert.equal(glass.body.status, '403');
      assert.equal((await scim.delete('Users', admin.id)).status, 403);
    });

    await t.test('DELETE runs offboarding, then the account is gone (404)', async () => {
      await codeFlow(config, REDIRECT, id, { scope: 'openid' });
      const res = await scim.delete('Users', id);
      assert.equal(res.status, 204, JSON.stringify(res.body));
      assert.equal((await scim.get('Users', id)).status, 404);
      assert.equal((await scim.delete('Users', id)).status, 404);
      const entries = await ctx.store.db.selectFrom('audit_log').select(['actor', 'action', 'after_json']).where('target', '=', `user:${id}`).orderBy('seq', 'desc').limit(2).execute();
      assert.deepEqual(entries.map((e) => [e.actor, e.action]).reverse(), [[`token:${provisioning.id}`, 'user.offboard'], [`token:${provisioning.id}`, 'user.delete']]);
      const offboarded = JSON.parse(entries[1]!.after_json!) as { sessions: number; reason: string };
      assert.ok(offboarded.sessions >= 1, 'the session was ended by the offboarding');
      assert.match(offboarded.reason, /SCIM/);
    });
  });
}
