import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { CookieJar, startOidcServer } from './support.ts';

const insecure = { execute: [oidc.allowInsecureRequests] };

/** The sources of the CSP form-action directive, in order. */
function formAction(res: Response): string[] {
  const csp = res.headers.get('content-security-policy') ?? '';
  const m = /(?:^|;\s*)form-action ([^;]*)/.exec(csp);
  assert.ok(m, `a form-action directive in ${csp}`);
  return m[1]!.trim().split(/\s+/);
}

for (const engine of ENGINES) {
  test(`CSP form-action allows Tessera and the page's own app's registered targets only, on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine);
    t.after(() => server.close());
    const by = { actor: 'test' };
    const mail = await createClient(server.ctx.store, {
      clientId: 'mail', name: 'Company Mail', redirectUris: ['https://mail.example.com/cb'], postLogoutRedirectUris: ['https://mail.example.com/bye'],
    }, by);
    await createClient(server.ctx.store, { clientId: 'phone-app', public: true, redirectUris: ['com.example.app:/cb', 'http://127.0.0.1/cb'] }, by);
    // Each page names the app it serves, never the other apps.
    const mailOnly = ["'self'", 'https://mail.example.com'];

    await t.test('a sign-in page: its forms end at the app', async () => {
      const config = await oidc.discovery(new URL(server.url), 'mail', mail.clientSecret, undefined, insecure);
      const auth = oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'https://mail.example.com/cb', scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256',
      });
      const jar = new CookieJar();
      const start = await fetch(auth, { redirect: 'manual' });
      jar.store(start);
      const signin = await fetch(new URL(start.headers.get('location')!, server.url), { headers: { cookie: jar.header() } });
      assert.equal(signin.status, 200);
      assert.match(signin.headers.get('content-type')!, /text\/html/);
      assert.deepEqual(formAction(signin).sort(), mailOnly);
      assert.match(await signin.text(), /<h1>Sign in to Company Mail<\/h1>/, 'the app is named as people know it, not by its client id');
    });

    await t.test('the logout question of the provider: its form ends at a post-logout URI', async () => {
      const res = await fetch(`${server.url}/oidc/session/end?client_id=mail`);
      assert.equal(res.status, 200);
      assert.deepEqual(formAction(res).sort(), mailOnly);
      const app = await fetch(`${server.url}/oidc/session/end?client_id=phone-app`);
      assert.deepEqual(formAction(app).sort(), ["'self'", 'com.example.app:', 'http://127.0.0.1:*']);
    });

    await t.test('every other response: Tessera only, and never any http: or https: target', async () => {
      for (const path of ['/setup?token=nope', '/account', '/healthz', '/oidc/jwks', '/.well-known/openid-configuration']) {
        const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
        assert.deepEqual(formAction(res), ["'self'"], path);
      }
    });
  });
}
