import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { Tally, assertHandled, debugAnswer, fuzzParameters, hostileNumberString, hostileString, maxMs, urlPart } from './support.ts';

/**
 * The OpenID Connect endpoints (oidc-provider behind Tessera's adapter, store
 * and grant points) with hostile query and body parameters: authorization,
 * token with every grant type, with and without client authentication and with
 * broken Basic headers, userinfo, introspection, revocation, pushed
 * authorization requests, logout, discovery and JWKS. oidc-provider answers
 * OAuth errors as 4xx; no answer may be a 5xx, and all are quick.
 */

const RUNS = 6_000;
const MAX_MS = maxMs(3_000);
const REDIRECT = 'https://app.example.com/cb';

type Endpoint = { method: 'GET' | 'POST'; path: string };
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/oidc/auth' }, { method: 'POST', path: '/oidc/auth' }, { method: 'POST', path: '/oidc/token' },
  { method: 'POST', path: '/oidc/token' }, { method: 'POST', path: '/oidc/token' }, { method: 'GET', path: '/oidc/me' },
  { method: 'POST', path: '/oidc/me' }, { method: 'POST', path: '/oidc/token/introspection' }, { method: 'POST', path: '/oidc/token/revocation' },
  { method: 'POST', path: '/oidc/request' }, { method: 'GET', path: '/oidc/session/end' }, { method: 'POST', path: '/oidc/session/end' },
  { method: 'POST', path: '/oidc/session/end/confirm' }, { method: 'GET', path: '/oidc/jwks' }, { method: 'GET', path: '/.well-known/openid-configuration' },
  { method: 'GET', path: '/oidc/nope' },
];

interface Known { secret: string; accessToken: string }

/** A well-formed request per endpoint, which the fuzzed parameters then change: so requests get past the first checks. */
const BASELINE: Record<string, Record<string, string>> = {
  '/oidc/auth': {
    client_id: 'app', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid profile', state: 's1', nonce: 'n1',
    code_challenge: randomBytes(32).toString('base64url'), code_challenge_method: 'S256',
  },
  '/oidc/token': { grant_type: 'authorization_code', code: randomBytes(32).toString('base64url'), redirect_uri: REDIRECT, code_verifier: randomBytes(32).toString('base64url') },
  '/oidc/session/end': { client_id: 'app', post_logout_redirect_uri: REDIRECT, state: 's1' },
};

/** Parameter names the endpoints read, with values that are meaningful to them. */
function params(k: Known): Record<string, fc.Arbitrary<string>> {
  return {
    client_id: fc.constantFrom('app', 'spa', 'svc', 'unknown'),
    redirect_uri: fc.constantFrom(REDIRECT, 'https://evil.example.com/cb', 'http://app.example.com/cb', `${REDIRECT}?x=1`),
    response_type: fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'none'),
    scope: fc.constantFrom('openid', 'openid profile email', 'openid offline_access', 'email', ''),
    state: fc.string({ maxLength: 20 }), nonce: fc.string({ maxLength: 20 }),
    code_challenge: fc.constantFrom(randomBytes(32).toString('base64url'), 'short'), code_challenge_method: fc.constantFrom('S256', 'plain', 'MD5'),
    prompt: fc.constantFrom('none', 'login', 'consent', 'select_account', 'login consent'), max_age: hostileNumberString,
    acr_values: fc.constantFrom('urn:tessera:acr:mfa', 'urn:tessera:acr:phishing-resistant', 'x'), response_mode: fc.constantFrom('query', 'fragment', 'form_post', 'jwt'),
    grant_type: fc.constantFrom('authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code', 'implicit'),
    code: fc.base64String({ maxLength: 60 }), refresh_token: fc.base64String({ maxLength: 60 }), code_verifier: fc.base64String({ maxLength: 64 }),
    token: fc.constantFrom(k.accessToken, 'not-a-token'), token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'id_token', 'x'),
    id_token_hint: fc.constantFrom('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'x.y.z'), post_logout_redirect_uri: fc.constantFrom(REDIRECT, 'https://evil.example.com/'),
    client_secret: fc.constantFrom(k.secret, 'wrong'), client_assertion: fc.constantFrom('x.y.z', ''),
    client_assertion_type: fc.constant('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'), request: fc.constantFrom('x.y.z', 'eyJhbGciOiJub25lIn0.e30.'),
    request_uri: fc.constantFrom('urn:ietf:params:oauth:request_uri:abc', 'https://evil.example.com/r'), login_hint: fc.string({ maxLength: 20 }),
    ui_locales: fc.constantFrom('en', 'de-DE', ''), claims: fc.constantFrom('{"id_token":{"email":null}}', '{', 'null'), resource: fc.constantFrom('https://api.example.com', 'x'),
    logout: fc.constantFrom('yes', ''), xsrf: fc.string({ maxLength: 10 }),
  };
}

type Auth = 'none' | 'basic' | 'basic-wrong' | 'basic-garbage' | 'bearer' | 'bearer-garbage';

function authHeader(kind: Auth, k: Known, junk: string): string | undefined {
  const ascii = junk.replace(/[^\x20-\x7e]/g, '').slice(0, 2_000);
  switch (kind) {
    case 'none': return undefined;
    case 'basic': return `Basic ${Buffer.from(`app:${k.secret}`).toString('base64')}`;
    case 'basic-wrong': return `Basic ${Buffer.from(`app:${junk}`).toString('base64')}`;
    case 'basic-garbage': return `Basic ${ascii}`;
    case 'bearer': return `Bearer ${k.accessToken}`;
    case 'bearer-garbage': return `Bearer ${ascii}`;
  }
}

function caseArb(k: Known) {
  const known = params(k);
  const names = Object.keys(known);
  const value = (name: string) => fc.oneof({ weight: 3, arbitrary: known[name]! }, { weight: 1, arbitrary: hostileString });
  return fc.record({
    endpoint: fc.constantFrom(...ENDPOINTS),
    params: fc.uniqueArray(fc.constantFrom(...names), { maxLength: 8 }).chain((chosen) => fc.tuple(...chosen.map((n) => value(n).map((v) => [n, v] as const)))),
    extra: fc.option(fc.tuple(hostileString, hostileString), { nil: undefined }),
    duplicate: fc.boolean(),
    baseline: fc.boolean(),
    auth: fc.constantFrom<Auth>('none', 'none', 'basic', 'basic-wrong', 'basic-garbage', 'bearer', 'bearer-garbage'),
    junk: hostileString,
    encoding: fc.constantFrom('form', 'form', 'json', 'text', 'none'),
  });
}

for (const engine of ENGINES) {
  test(`the OIDC endpoints answer hostile parameters without a 5xx on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const by = { actor: 'test' };
    const app = await createClient(server.ctx.store, { clientId: 'app', redirectUris: [REDIRECT], postLogoutRedirectUris: [REDIRECT] }, by);
    await createClient(server.ctx.store, { clientId: 'spa', redirectUris: [REDIRECT], public: true }, by);
    const svc = await createClient(server.ctx.store, { clientId: 'svc' }, by);
    const grant = await fetch(`${server.url}/oidc/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`svc:${svc.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(grant.status, 200, 'a client credentials grant works');
    const known: Known = { secret: app.clientSecret!, accessToken: ((await grant.json()) as { access_token: string }).access_token };

    const seen = new Tally();
    await fc.assert(fc.asyncProperty(caseArb(known), async (c) => {
      const start = c.baseline ? Object.entries(BASELINE[c.endpoint.path] ?? {}).filter(([n]) => !c.params.some(([m]) => m === n)) : [];
      const pairs: (readonly [string, string])[] = [...start, ...c.params, ...(c.extra ? [c.extra] : []), ...(c.duplicate && c.params[0] ? [c.params[0]] : [])];
      const query = pairs.map(([n, v]) => `${urlPart(n)}=${urlPart(v)}`).join('&');
      const headers: Record<string, string> = {};
      const auth = authHeader(c.auth, known, c.junk);
      if (auth) headers.authorization = auth;
      let url = server.url + c.endpoint.path;
      let body: string | undefined;
      if (c.endpoint.method === 'GET') url += query ? `?${query}` : '';
      else if (c.encoding === 'form') [body, headers['content-type']] = [query, 'application/x-www-form-urlencoded'];
      else if (c.encoding === 'json') [body, headers['content-type']] = [JSON.stringify(Object.fromEntries(pairs)), 'application/json'];
      else if (c.encoding === 'text') [body, headers['content-type']] = [query, 'text/plain'];
      const started = performance.now();
      const res = await fetch(url, { method: c.endpoint.method, headers, body, redirect: 'manual' });
      const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
      assertHandled(answer, performance.now() - started, `${c.endpoint.method} ${c.endpoint.path} ${query.slice(0, 200)} (auth ${c.auth}, ${c.encoding})`, MAX_MS);
      const key = `${c.endpoint.path} ${answer.status}`;
      debugAnswer(key, c.endpoint.method, answer.body.replace(/\s+/g, ' ').slice(0, 200));
      seen.add(key);
    }), fuzzParameters(RUNS));
    t.diagnostic(`answers by endpoint and status: ${seen}`);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the server is healthy');
    assert.equal((await fetch(`${server.url}/oidc/jwks`)).status, 200, 'the provider still answers');
  });
}
