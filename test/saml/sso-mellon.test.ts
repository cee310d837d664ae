import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { addGroupMember, createGroup } from '../../src/directory/groups.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { savePolicy } from '../../src/policy/store/policies.ts';
import { listSignins } from '../../src/monitor/signin-log.ts';
import { addServiceProvider } from '../../src/protocols/saml/service-providers.ts';
import { rotateSamlKey } from '../../src/protocols/saml/key-rotation.ts';
import { samlify } from '../../src/protocols/saml/idp.ts';
import { createMellonSp, mellonSkip, type MellonSp } from './mellon.ts';

/**
 * SAML Web Browser SSO against Apache's mod_auth_mellon, through Chromium:
 * SP-initiated sign-in (mellon signs its AuthnRequests, Redirect binding), the
 * attributes and the signed Response Apache receives, a step-up asked by
 * RequestedAuthnContext (mellon also refuses an assertion below the class it
 * asked for), a policy that blocks the SP for a live session, Single Logout,
 * and a signing key rotated while mellon keeps trusting the IdP.
 */
const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const REFEDS_MFA = 'https://refeds.org/profile/mfa';
const by = { actor: 'user:admin' };

async function typeCredentials(page: Page, username: string) {
  await page.fill('#username', username);
  await page.click('button[type="submit"]');
  await page.fill('input[autocomplete="current-password"]', PASSWORD);
  await page.click('button:has-text("Sign in")');
}

/** What mellon handed Apache, as the protected CGI page prints it. */
async function mellonEnv(page: Page, sp: MellonSp): Promise<Map<string, string>> {
  await page.waitForURL((u) => u.href.startsWith(`${sp.origin}/protected/`), { timeout: 15_000 }).catch(async (err: Error) => {
    assert.fail(`${err.message}\nat ${page.url()}: ${await page.textContent('body').catch(() => '')}\n${sp.log()}`);
  });
  const text = (await page.textContent('body')) ?? '';
  return new Map(text.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
}

/**
 * The parts of the Response mellon accepted that the issue names. mellon's
 * metadata publishes an encryption key, so the Assertion came encrypted; it is
 * decrypted here with the SP's key (mellon uses one key for both).
 */
async function responseFacts(env: Map<string, string>, sp: MellonSp) {
  const raw = env.get('MELLON_SAML_RESPONSE') ?? '';
  const received = raw.trimStart().startsWith('<') ? raw : Buffer.from(raw, 'base64').toString('utf8');
  assert.ok(received.includes('Response'), 'mellon passed the Response on');
  assert.ok(/EncryptedAssertion/.test(received) && !/<(\w+:)?Assertion[\s>]/.test(received), 'the Assertion travelled encrypted');
  assert.ok(received.includes('http://www.w3.org/2009/xmlenc11#aes256-gcm'), 'with AES-256-GCM');
  const here = samlify.ServiceProvider({ metadata: sp.metadata, encPrivateKey: sp.privateKey });
  const [xml] = (await samlify.SamlLib.decryptAssertion(here, received)) as [string, string];
  return samlify.Extractor.extract(xml, [
    { key: 'response', localPath: ['Response'], attributes: ['Destination', 'InResponseTo', 'IssueInstant'] },
    { key: 'responseSignature', localPath: ['Response', 'Signature', 'SignatureValue'], attributes: [] },
    { key: 'assertionSignature', localPath: ['Response', 'Assertion', 'Signature', 'SignatureValue'], attributes: [] },
    { key: 'signatureMethod', localPath: ['Response', 'Signature', 'SignedInfo', 'SignatureMethod'], attributes: ['Algorithm'] },
    { key: 'classRef', localPath: ['Response', 'Assertion', 'AuthnStatement', 'AuthnContext', 'AuthnContextClassRef'], attributes: [] },
    { key: 'audience', localPath: ['Response', 'Assertion', 'Conditions', 'AudienceRestriction', 'Audience'], attributes: [] },
    { key: 'confirmation', localPath: ['Response', 'Assertion', 'Subject', 'SubjectConfirmation', 'SubjectConfirmationData'], attributes: ['Recipient', 'InResponseTo', 'NotOnOrAfter'] },
    { key: 'certificate', localPath: ['Response', 'Signature', 'KeyInfo', 'X509Data', 'X509Certificate'], attributes: [] },
  ]) as {
    response: { destination: string; inResponseTo: string; issueInstant: string }; responseSignature: string; assertionSignature: string;
    signatureMethod: string; classRef: string; audience: string; confirmation: { recipient: string; inResponseTo: string; notOnOrAfter: string }; certificate: string;
  };
}

async function sessionsOf(server: TestServer, username: string): Promise<number> {
  const user = await server.ctx.store.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  const rows = await server.ctx.store.db.selectFrom('idp_sessions').select('id').where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
  return rows.length;
}

for (const engine of ENGINES) {
  test(`SAML sign-in to mod_auth_mellon through Chromium on ${engine}`, { ...engineSkip(engine), ...browserSkip(), ...mellonSkip() }, async (t) => {
    const server: TestServer = await startTestServer(engine);
    const plain = await createMellonSp();
    const mfa = await createMellonSp();
    const browser: TestBrowser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await plain.close();
      await mfa.close();
      await server.close();
    });
    const idpMetadata = await (await fetch(`${server.url}/saml/metadata`)).text();
    await addServiceProvider(server.ctx.store, { name: 'mellon', metadata: plain.metadata }, by);
    await addServiceProvider(server.ctx.store, { name: 'mellon-mfa', metadata: mfa.metadata, nameIdFormat: 'persistent' }, by);
    await plain.start(idpMetadata);
    await mfa.start(idpMetadata, { authnContext: REFEDS_MFA });

    const alice = await createUserWithPassword(server.ctx, 'alice', PASSWORD);
    await importTotp(server.ctx, alice.id, { secretBase32: SECRET, actor: 'test' });
    await createGroup(server.ctx.store, { name: 'staff' }, by);
    await addGroupMember(server.ctx.store, 'staff', 'alice', by);
    await createUserWithPassword(server.ctx, 'bob', PASSWORD);

    await t.test('password + TOTP, then Apache has the NameID, the attributes and a signed, encrypted Response', async () => {
      const page = await browser.context.newPage();
      await page.goto(`${plain.origin}/protected/env.cgi`);
      await typeCredentials(page, 'alice');
      await page.fill('input[autocomplete="one-time-code"]', totpCode(SECRET));
      await page.click('button:has-text("Verify")');
      const env = await mellonEnv(page, plain);
      assert.equal(env.get('REMOTE_USER'), 'alice@example.com');
      assert.equal(env.get('MELLON_email'), 'alice@example.com');
      assert.equal(env.get('MELLON_name'), 'alice');
      assert.equal(env.get('MELLON_groups'), 'staff');
      const facts = await responseFacts(env, plain);
      assert.equal(facts.classRef, REFEDS_MFA, 'password + TOTP is the REFEDS MFA profile');
      assert.equal(facts.audience, plain.entityId);
      assert.equal(facts.response.destination, `${plain.origin}/mellon/postResponse`);
      assert.equal(facts.confirmation.recipient, `${plain.origin}/mellon/postResponse`);
      assert.ok(facts.response.inResponseTo && facts.response.inResponseTo === facts.confirmation.inResponseTo, 'InResponseTo names the AuthnRequest');
      assert.ok(Date.parse(facts.confirmation.notOnOrAfter) - Date.parse(facts.response.issueInstant) <= 5 * 60_000, 'valid at most 5 minutes');
      assert.ok(facts.responseSignature && facts.assertionSignature, 'the Response and the (decrypted) Assertion are both signed');
      assert.equal(facts.signatureMethod, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      const rows = await listSignins(server.ctx.store.db, {});
      assert.equal(rows.filter((r) => r.clientId === 'mellon' && r.result === 'success').length, 1, 'one sign-in log row for the SAML sign-in');
      await page.close();
    });

    await t.test('a password-only session is stepped up when the SP asks for MFA', async () => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      await page.goto(`${plain.origin}/protected/env.cgi`);
      await typeCredentials(page, 'bob');
      const env = await mellonEnv(page, plain);
      assert.equal(env.get('REMOTE_USER'), 'bob@example.com');
      assert.equal((await responseFacts(env, plain)).classRef, 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport');
      // The MFA SP: the live session lacks a second factor. bob has none, so the step-up asks for the
      // password again (as an OIDC acr_values step-up does) and then has him register one on the spot.
      await page.goto(`${mfa.origin}/protected/env.cgi`);
      await page.fill('input[autocomplete="current-password"]', PASSWORD);
      await page.click('button:has-text("Sign in")');
      await page.waitForSelector('#totp-secret');
      const secret = (await page.textContent('#totp-secret'))!.trim();
      await page.fill('input[autocomplete="one-time-code"]', totpCode(secret));
      await page.click('button:has-text("Verify and continue")');
      const mfaEnv = await mellonEnv(page, mfa);
      assert.match(mfaEnv.get('REMOTE_USER') ?? '', /^[A-Za-z0-9_-]{43}$/, 'a persistent NameID: opaque, not the username');
      // mellon itself refuses an assertion below the class it asked for, so getting here proves it too.
      assert.equal((await responseFacts(mfaEnv, mfa)).classRef, REFEDS_MFA);
      await page.close();
    });

    await t.test('IdP-initiated: the apps page, and a launch from elsewhere confirmed first', async () => {
      await browser.context.clearCookies({ name: mfa.cookieName });
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/saml/apps`);
      assert.deepEqual(await page.locator('ul.apps a').allTextContents(), ['mellon', 'mellon-mfa']);
      await page.click('a:has-text("mellon-mfa")');
      const env = await mellonEnv(page, mfa);
      assert.match(env.get('REMOTE_USER') ?? '', /^[A-Za-z0-9_-]{43}$/);
      const facts = await responseFacts(env, mfa);
      assert.equal(facts.response.inResponseTo, undefined, 'an unsolicited Response answers no request');
      assert.equal(facts.classRef, REFEDS_MFA);
      // Typed in, or linked from another site: Tessera asks before signing anyone in.
      await browser.context.clearCookies({ name: mfa.cookieName });
      await page.goto(`${server.url}/saml/launch/mellon-mfa`);
      await page.click('#open-app');
      assert.match((await mellonEnv(page, mfa)).get('REMOTE_USER') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await page.goto(`${server.url}/saml/launch/nothing-here`))?.status(), 404);
      await page.close();
    });

    await t.test('a policy that blocks the SP refuses the live session', async () => {
      await savePolicy(server.ctx.store, { name: 'No mellon', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mellon'] } }, grant: { block: true } }, by, { confirmLockout: 'test: meant to refuse' });
      // Forget only Apache's session: Tessera's stays, and the decision is asked again for it.
      await browser.context.clearCookies({ name: plain.cookieName });
      const page = await browser.context.newPage();
      const response = await page.goto(`${plain.origin}/protected/env.cgi`);
      await page.waitForSelector('text=Access refused');
      assert.equal(response?.status(), 403);
      assert.ok(!page.url().startsWith(plain.origin));
      const rows = await listSignins(server.ctx.store.db, {});
      assert.ok(rows.some((r) => r.clientId === 'mellon' && r.result === 'failure' && r.reason === 'policy_blocked'), 'the refusal is logged');
      await page.close();
    });

    await t.test('Single Logout from the SP ends the Tessera session and comes back to the SP', async () => {
      assert.equal(await sessionsOf(server, 'bob'), 1, 'bob is signed in to Tessera');
      const page = await browser.context.newPage();
      await page.goto(`${mfa.origin}/mellon/logout?ReturnTo=${encodeURIComponent(`${mfa.origin}/loggedout.html`)}`);
      await page.waitForSelector('#signed-out', { timeout: 15_000 }).catch(async (err: Error) => {
        assert.fail(`${err.message}\nat ${page.url()}: ${await page.textContent('body').catch(() => '')}\n${mfa.log()}`);
      });
      assert.equal(await sessionsOf(server, 'bob'), 0, 'the Tessera session ended');
      const cookies = await browser.context.cookies(server.url);
      assert.ok(!cookies.some((c) => c.name === 'tessera_session'), 'the session cookie is cleared');
      // Back at the SP, a sign-in is asked for again, by Tessera's pages.
      await page.goto(`${mfa.origin}/protected/env.cgi`);
      await page.waitForSelector('#username');
      assert.ok(page.url().startsWith(server.url));
      await page.close();
    });

    await t.test('a rotated signing key: metadata shows it first, mellon trusts it once it signs', async () => {
      const prepared = await rotateSamlKey(server.ctx.store, server.ctx.secrets, server.ctx.config.issuer, by);
      assert.equal(prepared.step, 'prepared');
      const twoKeys = await (await fetch(`${server.url}/saml/metadata`)).text();
      assert.equal(twoKeys.match(/<KeyDescriptor use="signing"/g)?.length, 2, 'the next key is published beside the active one');
      await mfa.restart(twoKeys, { authnContext: REFEDS_MFA });
      const activated = await rotateSamlKey(server.ctx.store, server.ctx.secrets, server.ctx.config.issuer, by);
      assert.equal(activated.step, 'activated');
      const nextRow = await server.ctx.store.db.selectFrom('saml_signing_keys').select('certificate').where('status', '=', 'active').executeTakeFirstOrThrow();
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      await page.goto(`${mfa.origin}/protected/env.cgi`);
      await typeCredentials(page, 'alice');
      await page.fill('input[autocomplete="one-time-code"]', totpCode(SECRET, 1));
      await page.click('button:has-text("Verify")');
      const env = await mellonEnv(page, mfa);
      const cert = (await responseFacts(env, mfa)).certificate.replace(/\s+/g, '');
      assert.ok(nextRow.certificate.replace(/\s+/g, '').includes(cert), 'signed with the new key');
      await page.close();
    });
  });
}
