import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';

/** The address `npm start` prints answers with a page, not a JSON 404; browsers get an icon. */
for (const engine of ENGINES) {
  test(`the front door and the icon on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());

    await t.test('before the first admin: how to finish set-up, without any token on the page', async () => {
      const res = await fetch(`${server.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /text\/html/);
      assert.match(res.headers.get('content-security-policy')!, /script-src 'self'/);
      const body = await res.text();
      assert.match(body, /Finish setting up Tessera/);
      assert.doesNotMatch(body, /tsetup_/, 'the set-up token is only in the server output');
    });

    await t.test('afterwards: sign in, the security page, the API docs', async () => {
      await createUserWithPassword(server.ctx, 'root', 'violet tangerine lighthouse', ['global_admin']);
      const body = await (await fetch(`${server.url}/`)).text();
      assert.match(body, /<a class="button" href="\/account">Sign in<\/a>/);
      assert.match(body, /href="\/api\/openapi.json"/);
    });

    await t.test('/favicon.ico leads to the SVG icon every page links to', async () => {
      const res = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
      assert.equal(res.status, 301);
      const icon = await fetch(new URL(res.headers.get('location')!, server.url));
      assert.equal(icon.status, 200);
      assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
      assert.match(await (await fetch(`${server.url}/`)).text(), /<link rel="icon" href="\/static\/icon.svg"/);
    });
  });
}
