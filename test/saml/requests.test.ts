import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { addServiceProvider } from '../../src/protocols/saml/service-providers.ts';
import { authnRequestXml, logoutRequestXml, makeTestSp, newId, redirectQuery, signedPostXml } from './test-sp.ts';

/**
 * What /saml/sso and /saml/slo refuse, over HTTP: a tampered signature, an
 * unsigned request from an SP that signs, an unknown SP, an unregistered ACS
 * URL, a replayed request id, and malformed, oversized or hostile messages —
 * each a 4xx with a reason, never a 500. Uses SPs made up for the test, whose
 * requests can be changed before or after signing.
 */
const by = { actor: 'user:admin' };

for (const engine of ENGINES) {
  test(`SAML requests refused with a reason on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const sso = `${server.url}/saml/sso`;
    const sp = await makeTestSp('crm');
    const stranger = await makeTestSp('stranger');
    const unsigned = await makeTestSp('wiki', { signs: false });
    await addServiceProvider(server.ctx.store, { name: 'crm', metadata: sp.metadata }, by);
    await addServiceProvider(server.ctx.store, { name: 'wiki', metadata: unsigned.metadata }, by);
    const request = (parts: Partial<Parameters<typeof authnRequestXml>[0]> = {}) => authnRequestXml({ issuer: sp.entityId, destination: sso, ...parts });
    const get = (query: string) => fetch(`${sso}?${query}`, { redirect: 'manual' });
    const post = (fields: Record<string, string>) => fetch(sso, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields) });

    async function refused(res: Response, status: number, reason: RegExp): Promise<void> {
      const body = await res.text();
      assert.equal(res.status, status, body);
      assert.match(body, reason);
    }

    await t.test('a signed request by the Redirect binding is accepted, and its id only once', async () => {
      const query = redirectQuery(request(), { key: sp.privateKey, relayState: '/dashboard' });
      const first = await get(query);
      assert.equal(first.status, 303);
      assert.match(first.headers.get('location') ?? '', /^\/saml\/continue\/[A-Za-z0-9_-]{32}$/);
      await refused(await get(query), 400, /already used/);
      // The same id again, freshly signed: still the same request to Tessera.
      const id = newId();
      assert.equal((await get(redirectQuery(request({ id }), { key: sp.privateKey }))).status, 303);
      await refused(await get(redirectQuery(request({ id }), { key: sp.privateKey })), 400, /already used/);
    });

    await t.test('a tampered signature, or a message changed after signing, is refused', async () => {
      const query = redirectQuery(request(), { key: sp.privateKey });
      const sig = decodeURIComponent(/Signature=([^&]+)/.exec(query)![1]!);
      const flipped = `${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
      await refused(await get(query.replace(/Signature=[^&]+/, `Signature=${encodeURIComponent(flipped)}`)), 400, /signature does not verify/);
      const other = redirectQuery(request({ acs: sp.acs }));
      await refused(await get(`${other}&${query.slice(query.indexOf('SigAlg='))}`), 400, /signature does not verify/);
      // Signed with another SP's key.
      await refused(await get(redirectQuery(request(), { key: stranger.privateKey })), 400, /signature does not verify/);
      // By the POST binding: signed inside the XML, then an attribute changed.
      const signed = signedPostXml(request(), sp.privateKey, sp.certificate);
      assert.equal((await post({ SAMLRequest: Buffer.from(signedPostXml(request(), sp.privateKey, sp.certificate)).toString('base64') })).status, 303);
      const changed = signed.replace(/IssueInstant="[^"]+"/, `IssueInstant="${new Date(Date.now() + 1000).toISOString()}"`);
      await refused(await post({ SAMLRequest: Buffer.from(changed).toString('base64') }), 400, /signature does not verify/);
    });

    await t.test('signature wrapping: a signed request moved inside another is refused', async () => {
      const original = signedPostXml(request({ id: '_signed' }), sp.privateKey, sp.certificate);
      const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(original)![0];
      const unsignedCopy = original.replace(signature, '');
      // Extensions takes elements of other namespaces, and lax schema checking does not look inside them.
      const wrapper = request({ id: '_attacker' }).replace('</saml:Issuer>', `</saml:Issuer>${signature}<samlp:Extensions><x:w xmlns:x="urn:example:wrap">${unsignedCopy}</x:w></samlp:Extensions>`);
      await refused(await post({ SAMLRequest: Buffer.from(wrapper).toString('base64') }), 400, /signature does not verify/);
    });

    await t.test('an SP that signs must sign; one that does not may send unsigned requests', async () => {
      await refused(await get(redirectQuery(request())), 400, /signs its requests, and this one is not signed/);
      await refused(await post({ SAMLRequest: Buffer.from(request()).toString('base64') }), 400, /not signed/);
      assert.equal((await get(redirectQuery(authnRequestXml({ issuer: unsigned.entityId, destination: sso })))).status, 303);
    });

    await t.test('an unknown SP, an unregistered ACS URL, another IdP or a stale request is refused', async () => {
      await refused(await get(redirectQuery(authnRequestXml({ issuer: stranger.entityId, destination: sso }), { key: stranger.privateKey })), 400, /not registered here/);
      await refused(await get(redirectQuery(request({ acs: 'https://evil.example.net/acs' }), { key: sp.privateKey })), 400, /AssertionConsumerServiceURL the service provider did not register/);
      await refused(await get(redirectQuery(request({ destination: 'https://other-idp.example.com/sso' }), { key: sp.privateKey })), 400, /meant for another identity provider/);
      const old = new Date(Date.now() - 60 * 60_000).toISOString();
      await refused(await get(redirectQuery(request({ issueInstant: old }), { key: sp.privateKey })), 400, /too old/);
      assert.equal((await get(redirectQuery(request({ acs: sp.acs }), { key: sp.privateKey }))).status, 303, 'the registered ACS URL, named, is fine');
      assert.equal((await get(redirectQuery(request({ acsIndex: '0' }), { key: sp.privateKey }))).status, 303, 'so is its index');
      await refused(await get(redirectQuery(request({ acsIndex: '7' }), { key: sp.privateKey })), 400, /AssertionConsumerServiceIndex the service provider&#39;s metadata does not have/);
    });

    await t.test('malformed, oversized and hostile messages are answered 4xx', async () => {
      await refused(await get(''), 400, /SAMLRequest is missing/);
      await refused(await get('SAMLRequest=%%%'), 400, /./);
      await refused(await get(redirectQuery('', { raw: Buffer.from('not deflated at all').toString('base64') })), 400, /could not be decoded|not a valid SAML/);
      await refused(await get(redirectQuery('<html><body>hello</body></html>')), 400, /not a valid SAML 2.0 message/);
      await refused(await get(redirectQuery('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"')), 400, /not a valid SAML 2.0 message/);
      const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${request().replace('</saml:Issuer>', '&x;</saml:Issuer>')}`;
      await refused(await get(redirectQuery(xxe, { key: sp.privateKey })), 400, /not a valid SAML 2.0 message/);
      await refused(await post({ SAMLRequest: Buffer.from(xxe).toString('base64') }), 400, /not a valid SAML 2.0 message/);
      // A small deflated message that would inflate to megabytes.
      const bomb = deflateRawSync(Buffer.from(request().replace('</saml:Issuer>', `</saml:Issuer><!--${'a'.repeat(4 * 1024 * 1024)}-->`))).toString('base64');
      assert.ok(bomb.length < 64 * 1024);
      await refused(await get(redirectQuery('', { raw: bomb })), 400, /could not be decoded/);
      // Node itself answers a URL longer than its header limit (16 KiB) with 431.
      assert.equal((await get(redirectQuery('', { raw: 'A'.repeat(70 * 1024) }))).status, 431);
      await refused(await post({ SAMLRequest: 'A'.repeat(70 * 1024) }), 413, /too large/);
      const huge = await post({ SAMLRequest: 'A'.repeat(1024 * 1024) });
      assert.equal(huge.status, 413, 'a body over the server limit');
      await refused(await get(`${redirectQuery(request(), { key: sp.privateKey })}&RelayState=${'r'.repeat(2000)}`), 400, /./);
      await refused(await fetch(`${server.url}/saml/continue/not-a-handle`), 404, /not valid/);
      await refused(await fetch(`${server.url}/saml/continue/${'A'.repeat(32)}`), 400, /expired or was already answered/);
    });

    await t.test('logout requests: unsigned, tampered or from an unknown SP are refused', async () => {
      const slo = `${server.url}/saml/slo`;
      const logout = (issuer = sp.entityId) => logoutRequestXml({ issuer, destination: slo, nameId: 'alice@example.com' });
      const sloGet = (query: string) => fetch(`${slo}?${query}`, { redirect: 'manual' });
      await refused(await sloGet(redirectQuery(logout())), 400, /not signed/);
      const query = redirectQuery(logout(), { key: sp.privateKey });
      const ok = await sloGet(query);
      assert.equal(ok.status, 303, await ok.text());
      const back = new URL(ok.headers.get('location')!);
      assert.equal(`${back.origin}${back.pathname}`, 'https://crm.example.com/slo');
      assert.ok(back.searchParams.get('SAMLResponse') && back.searchParams.get('Signature'), 'a signed LogoutResponse');
      await refused(await sloGet(query.replace(/Signature=[^&]+/, 'Signature=AAAA')), 400, /signature does not verify/);
      await refused(await sloGet(redirectQuery(logout(stranger.entityId), { key: stranger.privateKey })), 400, /not registered here/);
      await refused(await sloGet(redirectQuery(request(), { key: sp.privateKey })), 400, /not a LogoutRequest/);
      await refused(await sloGet(''), 400, /logout request/);
    });
  });
}
