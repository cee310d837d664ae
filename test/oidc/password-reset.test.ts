import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { authorize, codeFlow, CookieJar, oauthError, startOidcServer, type OidcTestServer } from './support.ts';
import { cliEnv, runCli } from '../foundation/support.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const insecure = { execute: [oidc.allowInsecureRequests] };
const NEW_PASSWORD = 'marble harbour quietly sings';

/**
 * Whoever had the old password (or a session and tokens made with it) must be
 * out after an admin resets it: the old access token is inactive, /oidc/me and
 * a refresh are refused, and the old browser gets no new code without signing in.
 */
async function signedInEverywhere(server: OidcTestServer, config: oidc.Configuration, userId: string) {
  const jar = new CookieJar();
  const { tokens } = await codeFlow(config, REDIRECT, userId, { scope: 'openid offline_access', prompt: 'consent', jar });
  assert.ok(tokens.refresh_token);
  assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
  const live = await server.ctx.store.db.selectFrom('idp_sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  assert.ok(live.length >= 1, 'a Tessera session exists');
  return { tokens, jar };
}

async function assertSignedOut(server: OidcTestServer, config: oidc.Configuration, userId: string, was: Awaited<ReturnType<typeof signedInEverywhere>>) {
  const { tokens, jar } = was;
  assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false, 'old access token inactive');
  await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, userId), (err: unknown) => oauthError(err) === 'invalid_token');
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (err: unknown) => oauthError(err) === 'invalid_grant');
  const { callback } = await authorize(config, REDIRECT, userId, { jar, prompt: 'none' });
  assert.equal(callback.searchParams.get('error'), 'login_required', 'the old browser gets no new code');
  const live = await server.ctx.store.db.selectFrom('idp_sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  assert.equal(live.length, 0, 'no Tessera session is left');
  const entries = await server.ctx.store.db.selectFrom('audit_log').select(['action', 'after_json']).orderBy('seq', 'desc').limit(2).execute();
  assert.deepEqual(entries.map((e) => e.action).reverse(), ['method.password.changed', 'session.revoke_all']);
  const ended = JSON.parse(entries[0]!.after_json!) as { reason: string; sessions: number; appCredentials: number };
  assert.equal(ended.reason, 'password_reset');
  assert.ok(ended.sessions >= 1 && ended.appCredentials >= 2, JSON.stringify(ended));
}

for (const engine of ENGINES) {
  test(`an admin's password reset signs the user out of every session and app on ${engine}`, engineSkip(engine), async (t) => {
    const testStore = await openTestStore(engine);
    const server = await startOidcServer(engine, { testStore });
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-reset-'));
    t.after(async () => {
      await server.close();
      await testStore.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const { ctx } = server;
    const app = await createClient(ctx.store, { clientId: 'mail', name: 'Mail', redirectUris: [REDIRECT] }, { actor: 'test' });
    const config = await oidc.discovery(new URL(server.url), 'mail', app.clientSecret, undefined, insecure);
    const alice = await createUserWithPassword(ctx, 'alice', 'violet tangerine lighthouse');
    const admin = (await createApiToken(ctx.store, { role: 'global_admin', name: 'test' }, { actor: 'test' })).token;

    await t.test('PUT /api/admin/users/{id}/password', async () => {
      const was = await signedInEverywhere(server, config, alice.id);
      const res = await fetch(`${server.url}/api/admin/users/${alice.id}/password`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: NEW_PASSWORD }),
      });
      assert.ok(res.status >= 200 && res.status < 300, `${res.status} ${await res.text()}`);
      await assertSignedOut(server, config, alice.id, was);
    });

    await t.test('tessera user set-password', async () => {
      const was = await signedInEverywhere(server, config, alice.id);
      const r = await runCli(['user', 'set-password', 'alice'], cliEnv(testStore, dataDir), `another ${NEW_PASSWORD}\n`);
      assert.equal(r.code, 0, r.stderr);
      await assertSignedOut(server, config, alice.id, was);
    });
  });
}
