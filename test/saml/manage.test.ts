import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { authnRequestXml, makeTestSp, redirectQuery } from './test-sp.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';

/**
 * SAML service providers and the signing key managed with `tessera saml` and
 * the admin API against a running node: registered from a file or a URL,
 * listed, shown, removed; every change audited under whoever made it, the API
 * permission-checked; a change takes effect without a restart.
 */
for (const engine of ENGINES) {
  test(`tessera saml and the admin API on ${engine}`, engineSkip(engine), async (t) => {
    const key = randomBytes(32);
    const testStore = await openTestStore(engine);
    const server = await startTestServer(engine, {}, { node: { testStore, secrets: new SecretBox(key) } });
    const dir = mkdtempSync(join(tmpdir(), 'tessera-saml-cli-'));
    const published = await makeTestSp('payroll');
    const site = createServer((req, res) => {
      if (req.url === '/metadata.xml') res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(published.metadata);
      else if (req.url === '/huge.xml') res.writeHead(200).end('<'.padEnd(300 * 1024, 'x'));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    t.after(async () => {
      await new Promise((r) => site.close(r));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const env = { ...cliEnv(testStore, dir), TESSERA_MASTER_KEY: key.toString('base64'), TESSERA_ISSUER: server.url };
    const db = server.ctx.store.db;
    const sso = `${server.url}/saml/sso`;
    const accepted = async (sp: { entityId: string; privateKey: string }) =>
      (await fetch(`${sso}?${redirectQuery(authnRequestXml({ issuer: sp.entityId, destination: sso }), { key: sp.privateKey })}`, { redirect: 'manual' })).status;

    await t.test('sp add from a file or a URL, list, show, remove: audited as the CLI user, effective at once', async () => {
      const crm = await makeTestSp('crm');
      const file = join(dir, 'crm.xml');
      writeFileSync(file, crm.metadata);
      assert.equal(await accepted(crm), 400, 'not registered yet');
      const badAttribute = await runCli(['saml', 'sp', 'add', 'crm', '--metadata-file', file, '--attribute', 'phone=tel'], env);
      assert.equal(badAttribute.code, 2);
      assert.match(badAttribute.stderr, /the source one of email, name, username, groups/);
      const added = await runCli(['saml', 'sp', 'add', 'crm', '--metadata-file', file, '--nameid-format', 'persistent', '--attribute', 'email=mail', '--attribute', 'groups=memberOf'], env);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /attributes: +mail \(email\), memberOf \(groups\)/);
      assert.match(added.stdout, /entity id: +https:\/\/crm\.example\.com\/saml/);
      assert.match(added.stdout, /signs requests: +yes/);
      assert.equal(await accepted(crm), 303, 'the running node knows the new SP');
      const fromUrl = await runCli(['saml', 'sp', 'add', 'payroll', '--metadata-url', `${siteUrl}/metadata.xml`, '--json'], env);
      assert.equal(fromUrl.code, 0, fromUrl.stderr);
      assert.equal((JSON.parse(fromUrl.stdout) as { entityId: string }).entityId, published.entityId);
      const list = await runCli(['saml', 'sp', 'list', '--json'], env);
      assert.deepEqual((JSON.parse(list.stdout) as Array<{ name: string; nameIdFormat: string }>).map((s) => [s.name, s.nameIdFormat]), [['crm', 'persistent'], ['payroll', 'email']]);
      const show = await runCli(['saml', 'sp', 'show', 'crm', '--json'], env);
      assert.deepEqual((JSON.parse(show.stdout) as { acs: Array<{ location: string }> }).acs.map((a) => a.location), [crm.acs]);
      const audit = await db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'like', 'saml.sp_%').orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => a.action), ['saml.sp_create', 'saml.sp_create']);
      assert.ok(audit.every((a) => a.actor.startsWith('cli:')));
      const removed = await runCli(['saml', 'sp', 'remove', 'crm'], env);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(await accepted(crm), 400, 'a removed SP is refused at once');
    });

    await t.test('bad input is refused with a reason', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['saml', 'sp', 'add', 'x'], /one of --metadata-file <file> or --metadata-url/],
        [['saml', 'sp', 'add', 'x', '--metadata-file', join(dir, 'missing.xml')], /cannot read/],
        [['saml', 'sp', 'add', 'x', '--metadata-url', 'ftp://example.com/m.xml'], /http\(s\) URL/],
        [['saml', 'sp', 'add', 'x', '--metadata-url', `${siteUrl}/gone.xml`], /HTTP 404/],
        [['saml', 'sp', 'add', 'x', '--metadata-url', `${siteUrl}/huge.xml`], /larger than 256 KiB/],
        [['saml', 'sp', 'add', 'x', '--metadata-url', `${siteUrl}/metadata.xml`, '--nameid-format', 'transient'], /must be one of/],
        [['saml', 'sp', 'add', 'payroll2', '--metadata-url', `${siteUrl}/metadata.xml`], /is registered as payroll/],
        [['saml', 'sp', 'show', 'nobody'], /no service provider nobody/],
      ];
      writeFileSync(join(dir, 'junk.xml'), '<html>not metadata</html>');
      cases.push([['saml', 'sp', 'add', 'junk', '--metadata-file', join(dir, 'junk.xml')], /not SAML 2\.0 service provider metadata/]);
      writeFileSync(join(dir, 'bad-cert.xml'), published.metadata.replace(/<ds:X509Certificate>[^<]+</, '<ds:X509Certificate>AAAA<'));
      cases.push([['saml', 'sp', 'add', 'badcert', '--metadata-file', join(dir, 'bad-cert.xml')], /signing certificate cannot be read/]);
      for (const [args, reason] of cases) {
        const r = await runCli(args, env);
        assert.notEqual(r.code, 0, args.join(' '));
        assert.match(r.stderr, reason, args.join(' '));
      }
    });

    await t.test('the admin API: permission-checked, audited under the caller', async () => {
      const { token } = await createApiToken(server.ctx.store, { role: 'security_admin', name: 'saml admin' }, { actor: 'test' });
      const { token: auditor } = await createApiToken(server.ctx.store, { role: 'auditor', name: 'reader' }, { actor: 'test' });
      const { token: helpdesk } = await createApiToken(server.ctx.store, { role: 'helpdesk', name: 'desk' }, { actor: 'test' });
      const call = (method: string, url: string, bearer: string, body?: unknown) =>
        fetch(`${server.url}/api/admin${url}`, { method, headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const wiki = await makeTestSp('wiki');
      assert.equal((await call('POST', '/saml/service-providers', auditor, { name: 'wiki', metadata: wiki.metadata })).status, 403);
      assert.equal((await call('GET', '/saml/service-providers', helpdesk)).status, 403);
      assert.equal((await call('POST', '/saml/service-providers', token, { name: 'wiki', metadata: '<nope/>' })).status, 400);
      assert.equal((await call('POST', '/saml/service-providers', token, { name: 'Not A Name', metadata: wiki.metadata })).status, 400);
      assert.equal((await call('POST', '/saml/service-providers', token, { name: 'wiki', metadata: wiki.metadata, attributes: { email: 'mail', name: 'mail' } })).status, 400);
      const created = await call('POST', '/saml/service-providers', token, { name: 'wiki', metadata: wiki.metadata, nameIdFormat: 'unspecified', attributes: { username: 'uid' } });
      assert.equal(created.status, 201);
      const body = (await created.json()) as { entityId: string; attributes: Record<string, string>; encryptsAssertions: boolean };
      assert.equal(body.entityId, wiki.entityId);
      assert.deepEqual(body.attributes, { username: 'uid' });
      assert.equal(typeof body.encryptsAssertions, 'boolean');
      assert.equal(await accepted(wiki), 303);
      assert.equal((await call('POST', '/saml/service-providers', token, { name: 'wiki', metadata: wiki.metadata })).status, 409);
      const listed = (await (await call('GET', '/saml/service-providers', auditor)).json()) as { items: Array<{ name: string }> };
      assert.deepEqual(listed.items.map((s) => s.name), ['payroll', 'wiki']);
      assert.equal((await call('GET', '/saml/service-providers/wiki', auditor)).status, 200);
      // The account page lists the SAML apps a person can open from Tessera (IdP-initiated).
      await createUserWithPassword(server.ctx, 'opal', 'violet tangerine lighthouse');
      const b = new Browserish(server.url);
      assert.equal((await startPortalSignin(b, 'opal', 'violet tangerine lighthouse')).afterPassword.location, '/account');
      const account = (await b.request('GET', '/account')).body;
      assert.match(account, /<a href="\/saml\/launch\/payroll">payroll<\/a>/);
      assert.match(account, /<a href="\/saml\/launch\/wiki">wiki<\/a>/);
      assert.equal((await call('DELETE', '/saml/service-providers/wiki', auditor)).status, 403);
      assert.equal((await call('DELETE', '/saml/service-providers/wiki', token)).status, 204);
      assert.equal((await call('DELETE', '/saml/service-providers/wiki', token)).status, 404);
      assert.equal(await accepted(wiki), 400);
      const audit = await db.selectFrom('audit_log').select(['actor', 'action']).where('action', 'in', ['saml.sp_create', 'saml.sp_delete']).where('actor', 'like', 'token:%').execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['saml.sp_create', 'saml.sp_delete']);
    });

    await t.test('keys list, rotate twice, retire: the metadata shows the next key before it signs', async () => {
      const certificates = async () => ((await (await fetch(`${server.url}/saml/metadata`)).text()).match(/<KeyDescriptor use="signing"/g) ?? []).length;
      assert.equal(await certificates(), 1);
      const list = async () => JSON.parse((await runCli(['saml', 'keys', 'list', '--json'], env)).stdout) as Array<{ id: string; status: string; fingerprint: string }>;
      const [first] = await list();
      assert.equal(first!.status, 'active');
      assert.match(first!.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      // tessera keys saml … is the same command, beside the OIDC keys.
      const prepared = await runCli(['keys', 'saml', 'rotate'], env);
      assert.equal(prepared.code, 0, prepared.stderr);
      assert.match(prepared.stdout, /published in the metadata and signs nothing yet/);
      assert.equal(await certificates(), 2);
      assert.deepEqual((await list()).map((k) => k.status), ['next', 'active']);
      const refused = await runCli(['saml', 'keys', 'retire', first!.id], env);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /signs the responses now/);
      const activated = await runCli(['saml', 'keys', 'rotate'], env);
      assert.equal(activated.code, 0, activated.stderr);
      assert.match(activated.stdout, /now signs every response/);
      assert.deepEqual((await list()).map((k) => [k.status, k.id === first!.id]), [['active', false], ['retiring', true]]);
      assert.equal(await certificates(), 2, 'the retiring key stays published');
      const retired = await runCli(['saml', 'keys', 'retire', first!.id], env);
      assert.equal(retired.code, 0, retired.stderr);
      assert.equal(await certificates(), 1);
      const audit = await db.selectFrom('audit_log').select(['actor', 'action', 'before_json', 'after_json']).where('action', 'like', 'saml.key_%').orderBy('seq').execute();
      assert.deepEqual(audit.map((a) => a.action), ['saml.key_create', 'saml.key_prepare', 'saml.key_activate', 'saml.key_retire']);
      const rows = await db.selectFrom('saml_signing_keys').select('private_key_sealed').execute();
      assert.ok(rows.every((r) => !r.private_key_sealed.includes('PRIVATE KEY')), 'private keys sealed at rest');
      assert.ok(!JSON.stringify(audit).includes('PRIVATE KEY'), 'no private key in the audit log');
    });
  });
}
