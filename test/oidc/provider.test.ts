import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { validateClientMetadata } from '../../src/protocols/oidc/client-validation.ts';
import { oauthError, startOidcServer } from './support.ts';

const insecure = { execute: [oidc.allowInsecureRequests] };

const isError = (code: string) => (err: unknown) => {
  assert.equal(oauthError(err), code, String(err));
  return true;
};

for (const engine of ENGINES) {
  test(`OIDC discovery, JWKS and client credentials on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine);
    t.after(() => server.close());
    const by = { actor: 'test' };
    const { ctx } = server;

    const basic = await createClient(ctx.store, { clientId: 'svc-basic', grantTypes: ['client_credentials'] }, by, {
      validate: validateClientMetadata,
    });
    const post = await createClient(
      ctx.store,
      { clientId: 'svc-post', grantTypes: ['client_credentials'], authMethod: 'client_secret_post' },
      by,
      { validate: validateClientMetadata },
    );
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const jwk = { kty, crv, x, y, kid: 'svc-jwt-1', alg: 'ES256', use: 'sig' };
    await createClient(ctx.store, { clientId: 'svc-jwt', grantTypes: ['client_credentials'], jwks: { keys: [jwk] } }, by, {
      validate: validateClientMetadata,
    });

    await t.test('discovery: issuer without a path, endpoints under /oidc', async () => {
      const config = await oidc.discovery(new URL(server.url), 'svc-basic', basic.clientSecret, undefined, insecure);
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, server.url);
      assert.equal(meta.authorization_endpoint, `${server.url}/oidc/auth`);
      assert.equal(meta.token_endpoint, `${server.url}/oidc/token`);
      assert.equal(meta.jwks_uri, `${server.url}/oidc/jwks`);
      assert.equal(meta.userinfo_endpoint, `${server.url}/oidc/me`);
      assert.equal(meta.end_session_endpoint, `${server.url}/oidc/session/end`);
      assert.ok(meta.revocation_endpoint?.startsWith(`${server.url}/oidc/`));
      assert.ok(meta.introspection_endpoint?.startsWith(`${server.url}/oidc/`));
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(meta.response_types_supported, ['code']);
      for (const acr of ['urn:tessera:acr:pwd', 'urn:tessera:acr:mfa', 'urn:tessera:acr:passwordless-mfa', 'urn:tessera:acr:phishing-resistant']) {
        assert.ok(meta.acr_values_supported?.includes(acr), acr);
      }
      assert.ok(!meta.token_endpoint_auth_methods_supported?.includes('client_secret_jwt'));
      for (const s of ['openid', 'profile', 'email', 'offline_access']) assert.ok(meta.scopes_supported?.includes(s), s);
    });

    await t.test('an authorization request by POST gets 405 and the reason, not a bare Not Found', async () => {
      const res = await fetch(`${server.url}/oidc/auth`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=svc-basic&response_type=code&scope=openid',
      });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'GET, OPTIONS');
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'method_not_allowed');
      assert.match(body.message, /with GET/);
    });

    await t.test('JWKS: one RS256 and one ES256 public key, no private parts', async () => {
      const res = await fetch(`${server.url}/oidc/jwks`);
      assert.equal(res.status, 200);
      const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
      assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
      for (const k of keys) {
        assert.equal(k.use, 'sig');
        assert.equal(typeof k.kid, 'string');
        for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[p], undefined);
      }
    });

    await t.test('client credentials with client_secret_basic, then introspection', async () => {
      const config = await oidc.discovery(new URL(server.url), 'svc-basic', basic.clientSecret, oidc.ClientSecretBasic(basic.clientSecret!), insecure);
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.ok(tokens.access_token);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.expires_in! > 0 && tokens.expires_in! <= 600);
      const info = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(info.active, true);
      assert.equal(info.client_id, 'svc-basic');
    });

    await t.test('client credentials with client_secret_post', async () => {
      const config = await oidc.discovery(new URL(server.url), 'svc-post', post.clientSecret, oidc.ClientSecretPost(post.clientSecret!), insecure);
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.ok(tokens.access_token);
    });

    await t.test('client credentials with private_key_jwt', async () => {
      const config = await oidc.discovery(
        new URL(server.url),
        'svc-jwt',
        undefined,
        oidc.PrivateKeyJwt({ key: pair.privateKey, kid: 'svc-jwt-1' }),
        insecure,
      );
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.ok(tokens.access_token);
    });

    await t.test('a wrong secret, another client’s secret, or a secret for a key-based client is refused', async () => {
      const wrong = await oidc.discovery(new URL(server.url), 'svc-basic', 'tcs_wrong', oidc.ClientSecretBasic('tcs_wrong'), insecure);
      await assert.rejects(oidc.clientCredentialsGrant(wrong), isError('invalid_client'));
      const other = await oidc.discovery(new URL(server.url), 'svc-basic', post.clientSecret, oidc.ClientSecretBasic(post.clientSecret!), insecure);
      await assert.rejects(oidc.clientCredentialsGrant(other), isError('invalid_client'));
      // (oidc-provider accepts a secret in the body for a client_secret_basic client and vice
      // versa: both prove knowledge of the same secret.)
      const jwtClient = await oidc.discovery(new URL(server.url), 'svc-jwt', basic.clientSecret, oidc.ClientSecretBasic(basic.clientSecret!), insecure);
      await assert.rejects(oidc.clientCredentialsGrant(jwtClient), isError('invalid_client'));
      const unknown = await oidc.discovery(new URL(server.url), 'nobody', 'x', oidc.ClientSecretBasic('x'), insecure);
      await assert.rejects(oidc.clientCredentialsGrant(unknown), isError('invalid_client'));
    });

    await t.test('a resource parameter is refused with invalid_target, not a server error', async () => {
      const config = await oidc.discovery(new URL(server.url), 'svc-basic', basic.clientSecret, oidc.ClientSecretBasic(basic.clientSecret!), insecure);
      await assert.rejects(
        oidc.clientCredentialsGrant(config, { resource: 'https://api.example.com' }),
        isError('invalid_target'),
      );
    });
  });
}

for (const engine of ENGINES) {
  test(`an https issuer gets Secure, HttpOnly, SameSite cookies even behind a TLS-terminating proxy on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine, { issuer: (port) => `https://127.0.0.1:${port}` });
    t.after(() => server.close());
    await createClient(server.ctx.store, { clientId: 'spa', public: true, redirectUris: ['http://127.0.0.1:9/cb'] }, { actor: 'test' });
    const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
    assert.equal(discovery.issuer, server.url.replace('http:', 'https:'));
    assert.ok(discovery.token_endpoint.startsWith('https://'));
    const url = new URL(`${server.url}/oidc/auth`);
    url.search = new URLSearchParams({
      client_id: 'spa',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://127.0.0.1:9/cb',
      code_challenge: oidc.randomPKCECodeVerifier(),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/signin\/[A-Za-z0-9_-]+$/);
    assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=/);
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.length >= 2);
    for (const c of cookies) {
      assert.match(c, /; secure/i, c);
      assert.match(c, /; httponly/i, c);
      assert.match(c, /; samesite=lax/i, c);
    }
  });
}
