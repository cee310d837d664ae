import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { startCallbackServer } from '../support/relying-party.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { samlify } from '../../src/protocols/saml/idp.ts';
import { sessionIndexFor } from '../../src/protocols/saml/logout.ts';
import { addServiceProvider } from '../../src/protocols/saml/service-providers.ts';
import { authnRequestXml, logoutRequestXml, makeTestSp, newId, redirectQuery, type TestSp } from './test-sp.ts';

/**
 * SAML in Chromium against an SP made up for the test, whose ACS and SLO
 * endpoints the browser is caught at (page.route): ForceAuthn asks for the
 * sign-in again despite a live session, an answered request cannot be answered
 * twice, an SP without an encryption key gets a plain signed Assertion, and
 * Single Logout also ends the OIDC app's session in the same browser, as
 * RP-initiated logout does.
 */
const PASSWORD = 'violet tangerine lighthouse';
const rp = await startCallbackServer();

interface Caught {
  acs: URLSearchParams[];
  slo: URL[];
}

function catchSp(page: Page, sp: TestSp): Caught {
  const caught: Caught = { acs: [], slo: [] };
  const origin = new URL(sp.acs).origin;
  void page.route(`${origin}/**`, async (route) => {
    caught.acs.push(new URLSearchParams(route.request().postData() ?? ''));
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<p id="at-sp">at the app</p>' });
  });
  // A redirect's target is not routed, so the SLO answer (a 303) is only watched; the browser then fails to reach it.
  page.on('request', (r) => {
    if (r.url().startsWith(`${origin}/slo`)) caught.slo.push(new URL(r.url()));
  });
  return caught;
}

function facts(samlResponse: string) {
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  return {
    xml,
    ...(samlify.Extractor.extract(xml, [
      { key: 'response', localPath: ['Response'], attributes: ['InResponseTo', 'Destination'] },
      { key: 'classRef', localPath: ['Response', 'Assertion', 'AuthnStatement', 'AuthnContext', 'AuthnContextClassRef'], attributes: [] },
      { key: 'authn', localPath: ['Response', 'Assertion', 'AuthnStatement'], attributes: ['AuthnInstant', 'SessionIndex'] },
      { key: 'nameId', localPath: ['Response', 'Assertion', 'Subject', 'NameID'], attributes: [] },
    ]) as { response: { inResponseTo: string }; classRef: string; authn: { authnInstant: string; sessionIndex: string }; nameId: string }),
  };
}

async function signIn(page: Page) {
  await page.fill('#username', 'alice');
  await page.click('button[type="submit"]');
  await page.fill('input[autocomplete="current-password"]', PASSWORD);
  await page.click('button:has-text("Sign in")');
}

for (const engine of ENGINES) {
  test(`SAML ForceAuthn, one answer per request and logout of the OIDC apps on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server: TestServer = await startTestServer(engine);
    const browser: TestBrowser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    const sp = await makeTestSp('crm', { signs: false });
    await addServiceProvider(server.ctx.store, { name: 'crm', metadata: sp.metadata }, { actor: 'test' });
    await createUserWithPassword(server.ctx, 'alice', PASSWORD);
    const sso = `${server.url}/saml/sso`;
    const page = await browser.context.newPage();
    const caught = catchSp(page, sp);
    let first: ReturnType<typeof facts>;

    await t.test('a plain signed Assertion to an SP without an encryption key; RelayState kept; answered once', async () => {
      const id = newId();
      await page.goto(`${sso}?${redirectQuery(authnRequestXml({ id, issuer: sp.entityId, destination: sso }), { relayState: 'deep/link?x=1' })}`);
      await signIn(page);
      await page.waitForSelector('#at-sp');
      assert.equal(caught.acs.length, 1);
      assert.equal(caught.acs[0]!.get('RelayState'), 'deep/link?x=1');
      first = facts(caught.acs[0]!.get('SAMLResponse')!);
      assert.ok(!first.xml.includes('EncryptedAssertion'));
      assert.equal(first.response.inResponseTo, id);
      assert.equal(first.nameId, 'alice@example.com');
      assert.equal(first.classRef, 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport');
      // The browser's back button, or a second tab, at the same continuation: no second assertion.
      const continuation = (await fetch(`${sso}?${redirectQuery(authnRequestXml({ issuer: sp.entityId, destination: sso }))}`, { redirect: 'manual' })).headers.get('location')!;
      const cookies = (await browser.context.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
      const once = await fetch(`${server.url}${continuation}`, { headers: { cookie: cookies } });
      assert.equal(once.status, 200);
      const twice = await fetch(`${server.url}${continuation}`, { headers: { cookie: cookies } });
      assert.equal(twice.status, 400);
      assert.match(await twice.text(), /already answered/);
    });

    await t.test('ForceAuthn asks for the sign-in again despite the live session', async () => {
      await page.goto(`${sso}?${redirectQuery(authnRequestXml({ issuer: sp.entityId, destination: sso }))}`);
      await page.waitForSelector('#at-sp');
      assert.equal(facts(caught.acs.at(-1)!.get('SAMLResponse')!).authn.authnInstant, first.authn.authnInstant, 'without ForceAuthn the session is reused');
      await new Promise((r) => setTimeout(r, 1100));
      await page.goto(`${sso}?${redirectQuery(authnRequestXml({ issuer: sp.entityId, destination: sso, forceAuthn: true }))}`);
      await page.waitForSelector('#username');
      await signIn(page);
      await page.waitForSelector('#at-sp');
      const forced = facts(caught.acs.at(-1)!.get('SAMLResponse')!);
      assert.ok(Date.parse(forced.authn.authnInstant) > Date.parse(first.authn.authnInstant), `a new AuthnInstant: ${forced.authn.authnInstant} after ${first.authn.authnInstant}`);
    });

    await t.test('Single Logout also ends the OIDC app session in this browser', async () => {
      const { clientSecret } = await createClient(server.ctx.store, { clientId: 'mail', name: 'Mail', redirectUris: [rp.redirectUri], grantTypes: ['authorization_code'] }, { actor: 'test' });
      const config = await oidc.discovery(new URL(server.url), 'mail', clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      await page.goto(oidc.buildAuthorizationUrl(config, {
        redirect_uri: rp.redirectUri, scope: 'openid', state, prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      }).href);
      await page.waitForURL((u) => u.href.startsWith(rp.origin));
      const tokens = await oidc.authorizationCodeGrant(config, rp.callbacks.findLast((c) => c.searchParams.get('state') === state)!, { pkceCodeVerifier: verifier, expectedState: state });
      const sub = tokens.claims()!.sub;
      assert.ok(await oidc.fetchUserInfo(config, tokens.access_token, sub), 'the app token works');

      const slo = `${server.url}/saml/slo`;
      const sessionIndex = facts(caught.acs.at(-1)!.get('SAMLResponse')!).authn.sessionIndex;
      const logout = logoutRequestXml({ issuer: sp.entityId, destination: slo, nameId: 'alice@example.com', sessionIndex });
      // The SP's SLO address does not exist: the browser's attempt to go there fails, and is waited for.
      const failed = page.waitForEvent('requestfailed', (r) => r.url().startsWith('https://crm.example.com/slo'));
      await page.goto(`${slo}?${redirectQuery(logout, { key: sp.privateKey, relayState: 'bye' })}`).catch(() => undefined);
      await failed;
      assert.equal(caught.slo.length, 1, 'sent back to the SP');
      const back = caught.slo.at(-1)!;
      assert.equal(back.searchParams.get('RelayState'), 'bye');
      assert.ok(back.searchParams.get('SAMLResponse') && back.searchParams.get('Signature'));
      const sessions = await server.ctx.store.db.selectFrom('idp_sessions').select(['id', 'revoked_at']).execute();
      const named = sessions.find((s) => sessionIndexFor(s.id) === sessionIndex);
      assert.ok(named?.revoked_at, 'the Tessera session the SP named ended');
      await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, sub), 'the app token is revoked with its grant');
      const opSessions = await server.ctx.store.db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Session').execute();
      assert.equal(opSessions.length, 0, 'the OIDC provider session is gone');
      // A fresh tab (the old one is on the browser's error page): signing in to the SP asks again.
      const after = await browser.context.newPage();
      await after.goto(`${sso}?${redirectQuery(authnRequestXml({ issuer: sp.entityId, destination: sso }))}`);
      await after.waitForSelector('#username');
    });
  });
}
