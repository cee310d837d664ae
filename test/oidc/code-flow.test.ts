import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { insertUser, type User } from '../../src/directory/users.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { revokeAllForAccount } from '../../src/protocols/oidc/adapter.ts';
import { retireSigningKey, rotateSigningKeys } from '../../src/protocols/oidc/signing-keys.ts';
import type { AppContext } from '../../src/app/context.ts';
import { authorize, CookieJar, codeFlow, oauthError, startOidcServer } from './support.ts';
import { fetchJwks, verifyWithJwks } from './jwt.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const LOGGED_OUT = 'http://127.0.0.1:9/bye';
const insecure = { execute: [oidc.allowInsecureRequests] };

async function addUser(ctx: AppContext, username: string): Promise<User> {
  return auditedChange(ctx.store, async (trx, record) => {
    const user = await insertUser(trx, { username, email: `${username}@example.com`, displayName: `${username} Example` });
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user;
  });
}

const rejectsWith = (code: string) => (err: unknown) => {
  assert.equal(oauthError(err), code, String(err));
  return true;
};

for (const engine of ENGINES) {
  test(`OIDC authorization code flow, refresh rotation, logout and key rotation on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const by = { actor: 'test' };
    const app = await createClient(
      ctx.store,
      { clientId: 'mail', name: 'Mail', redirectUris: [REDIRECT], postLogoutRedirectUris: [LOGGED_OUT] },
      by,
    );
    const config = await oidc.discovery(new URL(server.url), 'mail', app.clientSecret, undefined, insecure);
    const alice = await addUser(ctx, 'alice');

    await t.test('code + PKCE: the ID token names the user by id and carries acr and amr', async () => {
      const { tokens } = await codeFlow(config, REDIRECT, alice.id, { acr: 'urn:tessera:acr:phishing-resistant', amr: 'hwk,user,mfa' });
      const claims = tokens.claims()!;
      assert.equal(claims.sub, alice.id);
      assert.equal(claims.iss, server.url);
      assert.equal(claims.aud, 'mail');
      assert.equal(claims.acr, 'urn:tessera:acr:phishing-resistant');
      assert.deepEqual(claims.amr, ['hwk', 'user', 'mfa']);
      assert.ok(!tokens.refresh_token, 'no offline_access, no refresh token');
      const { header } = await verifyWithJwks(server.url, tokens.id_token!);
      assert.equal(header.alg, 'RS256');
      assert.ok(tokens.expires_in! <= 600, 'access tokens live 10 minutes');

      const info = await oidc.fetchUserInfo(config, tokens.access_token, alice.id);
      assert.equal(info.sub, alice.id);
      assert.equal(info.preferred_username, 'alice');
      assert.equal(info.name, 'alice Example');
      assert.equal(info.email, 'alice@example.com');
    });

    await t.test('an authorization request without PKCE is refused', async () => {
      const url = new URL(`${server.url}/oidc/auth`);
      url.search = new URLSearchParams({ client_id: 'mail', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location')!);
      assert.ok(location.href.startsWith(REDIRECT));
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.match(location.searchParams.get('error_description')!, /PKCE/);
    });

    await t.test('refresh tokens rotate; replaying a used one revokes the whole grant', async () => {
      const { tokens } = await codeFlow(config, REDIRECT, alice.id, { scope: 'openid offline_access', prompt: 'consent' });
      const first = tokens.refresh_token!;
      assert.ok(first, 'offline_access with prompt=consent yields a refresh token');
      const second = await oidc.refreshTokenGrant(config, first);
      assert.ok(second.refresh_token && second.refresh_token !== first, 'a new refresh token each time');
      assert.equal(second.claims()?.sub, alice.id);
      const third = await oidc.refreshTokenGrant(config, second.refresh_token!);
      assert.ok(third.refresh_token);

      // The first token is replayed (as a thief would): refused, and the grant is gone with it.
      await assert.rejects(oidc.refreshTokenGrant(config, first), rejectsWith('invalid_grant'));
      await assert.rejects(oidc.refreshTokenGrant(config, third.refresh_token!), rejectsWith('invalid_grant'));
      const introspected = await oidc.tokenIntrospection(config, third.access_token);
      assert.equal(introspected.active, false, 'access tokens of the revoked grant are dead too');
    });

    await t.test('revocation ends an access token', async () => {
      const { tokens } = await codeFlow(config, REDIRECT, alice.id);
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, true);
      await oidc.tokenRevocation(config, tokens.access_token);
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
    });

    await t.test('revokeAllForAccount signs the user out of every app', async () => {
      const jar = new CookieJar();
      const { tokens } = await codeFlow(config, REDIRECT, alice.id, { scope: 'openid offline_access', prompt: 'consent', jar });
      const counts = await revokeAllForAccount(ctx.store, alice.id);
      assert.ok(counts.sessions >= 1 && counts.grants >= 1 && counts.tokens >= 2, JSON.stringify(counts));
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), rejectsWith('invalid_grant'));
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
      // The browser's provider session is gone: prompt=none now needs a login.
      const { callback } = await authorize(config, REDIRECT, alice.id, { jar, prompt: 'none' });
      assert.equal(callback.searchParams.get('error'), 'login_required');
    });

    await t.test('a disabled user gets no tokens and their tokens stop working', async () => {
      const bob = await addUser(ctx, 'bob');
      const { tokens } = await codeFlow(config, REDIRECT, bob.id, { scope: 'openid offline_access', prompt: 'consent' });
      await ctx.store.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', bob.id).execute();
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), rejectsWith('invalid_grant'));
      await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, bob.id), rejectsWith('invalid_token'));
      assert.equal((await oidc.tokenIntrospection(config, tokens.access_token)).active, false);
      // Even if something claimed a sign-in for the disabled account, oidc-provider finds no
      // account and sends the browser back to the sign-in page each time: no code reaches the app.
      await assert.rejects(authorize(config, REDIRECT, bob.id), /too many redirects/);
    });

    await t.test('RP-initiated logout asks, then ends the session and returns to the app', async () => {
      const jar = new CookieJar();
      const { tokens } = await codeFlow(config, REDIRECT, alice.id, { jar });
      const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT, state: 's1' });
      const ask = await fetch(end, { headers: { cookie: jar.header() } });
      jar.store(ask);
      assert.equal(ask.status, 200);
      const page = await ask.text();
      assert.match(page, /Sign out of Tessera\?/);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
      const confirm = await fetch(`${server.url}/oidc/session/end/confirm`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf, logout: 'yes' }),
      });
      jar.store(confirm);
      const back = new URL(confirm.headers.get('location')!);
      assert.equal(back.origin + back.pathname, LOGGED_OUT);
      assert.equal(back.searchParams.get('state'), 's1');
      const { callback } = await authorize(config, REDIRECT, alice.id, { jar, prompt: 'none' });
      assert.equal(callback.searchParams.get('error'), 'login_required');
    });

    await t.test('key rotation: tokens signed before still verify; a retired key leaves the JWKS', async () => {
      const before = await codeFlow(config, REDIRECT, alice.id);
      const oldKid = (await verifyWithJwks(server.url, before.tokens.id_token!)).header.kid;

      const { created, retiring } = await rotateSigningKeys(ctx.store, ctx.secrets, by);
      assert.equal(created.length, 2);
      assert.ok(retiring.some((k) => k.kid === oldKid));
      assert.equal(await server.app.reloadOidcKeys(), true);

      const jwks = await fetchJwks(server.url);
      assert.equal(jwks.length, 4, 'active and retiring keys are published');
      assert.deepEqual(jwks.find((k) => k.kid === oldKid)?.key_ops, ['verify']);
      await verifyWithJwks(server.url, before.tokens.id_token!);

      const after = await codeFlow(config, REDIRECT, alice.id);
      const newKid = (await verifyWithJwks(server.url, after.tokens.id_token!)).header.kid;
      assert.notEqual(newKid, oldKid);
      assert.ok(created.some((k) => k.kid === newKid), 'the new key signs');

      await assert.rejects(retireSigningKey(ctx.store, newKid, by), /only active RS256 key/);
      await retireSigningKey(ctx.store, oldKid, by);
      assert.equal(await server.app.reloadOidcKeys(), true);
      assert.ok(!(await fetchJwks(server.url)).some((k) => k.kid === oldKid));
      await assert.rejects(verifyWithJwks(server.url, before.tokens.id_token!), /not in the JWKS/);
    });

    await t.test('a public client uses PKCE and no secret', async () => {
      await createClient(ctx.store, { clientId: 'spa', redirectUris: [REDIRECT], public: true }, by);
      const spa = await oidc.discovery(new URL(server.url), 'spa', undefined, oidc.None(), insecure);
      const { tokens } = await codeFlow(spa, REDIRECT, alice.id);
      assert.equal(tokens.claims()?.sub, alice.id);
    });
  });
}
