import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brandingConfig } from '../../src/config/branding.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { branding } from '../../src/http/branding.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { startTestServer } from '../support/server.ts';

/**
 * The organisation's name and logo (TESSERA_ORG_NAME, TESSERA_ORG_LOGO) on the
 * sign-in pages, the account page and the landing page; the logo served with a
 * long cache; a bad logo file stops start-up with one line. The account page's
 * changes are in words, never action codes.
 */
const SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#0a5"/></svg>\n';
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const fail = (message: string): never => {
  throw new ConfigError(message);
};

test('TESSERA_ORG_NAME and TESSERA_ORG_LOGO are checked when the configuration loads', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-brand-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string | Buffer) => {
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  };
  const env = (extra: Record<string, string>) => ({ TESSERA_DATA_DIR: dir, ...extra });
  assert.deepEqual(branding(loadConfig(env({}))), { name: 'Tessera', logoUrl: null }, 'unset: Tessera, no logo');
  const svg = loadConfig(env({ TESSERA_ORG_NAME: 'Acme Ltd', TESSERA_ORG_LOGO: file('logo.svg', SVG) }));
  assert.match(branding(svg).logoUrl!, /^\/branding\/logo-[0-9a-f]{16}\.svg$/);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
  assert.equal(brandingConfig({ TESSERA_ORG_LOGO: file('logo.png', png) }, fail).logo?.contentType, 'image/png');
  assert.throws(() => loadConfig(env({ TESSERA_ORG_LOGO: join(dir, 'missing.png') })), /^ConfigError: TESSERA_ORG_LOGO: cannot read .*missing\.png: ENOENT$/);
  assert.throws(() => loadConfig(env({ TESSERA_ORG_LOGO: file('logo.gif', 'GIF89a') })), /neither a PNG nor an SVG/);
  assert.throws(() => loadConfig(env({ TESSERA_ORG_LOGO: file('evil.svg', '<svg onload="alert(1)"></svg>') })), /scripts, event handlers/);
  assert.throws(() => loadConfig(env({ TESSERA_ORG_NAME: 'Acme\u0007' })), /TESSERA_ORG_NAME: must not contain control characters/);
});

for (const engine of ENGINES) {
  test(`the organisation's name and logo on the pages on ${engine}`, engineSkip(engine), async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-brand-'));
    writeFileSync(join(dir, 'logo.svg'), SVG);
    const server = await startTestServer(engine, { branding: brandingConfig({ TESSERA_ORG_NAME: 'Acme & Co', TESSERA_ORG_LOGO: join(dir, 'logo.svg') }, fail) });
    t.after(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const { logoUrl } = branding(server.ctx.config);
    const branded = (body: string, where: string) => {
      assert.match(body, /<header class="brand"><img class="brand-logo" src="\/branding\/logo-[0-9a-f]{16}\.svg" alt=""><span class="brand-name">Acme &amp; Co<\/span><\/header>/, where);
      assert.match(body, /<title>[^<]* · Acme &amp; Co<\/title>/, where);
    };

    await t.test('the logo is served at its stable URL, cached for a year, as what it is', async () => {
      const res = await fetch(server.url + logoUrl!);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(res.headers.get('content-security-policy')!, /sandbox/);
      assert.equal(await res.text(), SVG);
      assert.equal((await fetch(`${server.url}/branding/logo-0000000000000000.svg`)).status, 404);
    });

    await t.test('the landing page, every sign-in page and the account page show them', async () => {
      branded(await (await fetch(server.url + '/')).text(), 'landing page');
      const ann = await createUserWithPassword(server.ctx, 'ann', PASSWORD);
      await importTotp(server.ctx, ann.id, { secretBase32: SEED, actor: `user:${ann.id}` });
      const b = new Browserish(server.url);
      const { path, csrf, afterPassword } = await startPortalSignin(b, 'ann', PASSWORD);
      assert.equal(afterPassword.location, path);
      branded((await b.request('GET', path)).body, 'the code page');
      const done = await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SEED) });
      assert.equal(done.location, '/account');
      const account = (await b.request('GET', '/account')).body;
      branded(account, 'account page');

      const changes = /<h2>Security changes<\/h2>\s*<ul>([\s\S]*?)<\/ul>/.exec(account)![1]!;
      assert.match(changes, /Authenticator app added by you/);
      assert.match(changes, /Account created/);
      assert.doesNotMatch(changes, /\b[a-z_]+\.[a-z_]+\b/, 'no action code such as method.totp.add');
    });

    await t.test('the first sign-in page shows them too', async () => {
      const b = new Browserish(server.url);
      const start = await b.request('GET', '/signin?return_to=%2Faccount');
      branded((await b.request('GET', start.location!)).body, 'the username page');
    });
  });
}
