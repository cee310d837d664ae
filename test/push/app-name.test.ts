import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf } from '../support/http-client.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { enrolCli, pendingJson, tempDir } from './support.ts';

const PASSWORD = 'violet tangerine lighthouse';
const REDIRECT = 'https://mail.example.com/callback';

/** Follows the server's own redirects (the app's authorization request into the sign-in pages), as a browser would. */
async function follow(b: Browserish, path: string): Promise<string> {
  for (let i = 0; i < 10; i++) {
    const r = await b.request('GET', path);
    if (!r.location) return path;
    const next = new URL(r.location, b.base);
    if (next.origin !== new URL(b.base).origin) throw new Error(`left the server for ${next.href}`);
    path = next.pathname + next.search;
  }
  throw new Error('too many redirects');
}

for (const engine of ENGINES) {
  test(`a push request names the app by its display name on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    await createClient(server.ctx.store, { clientId: 'mail', name: 'Company Mail', redirectUris: [REDIRECT], grantTypes: ['authorization_code'] }, { actor: 'test' });
    await createClient(server.ctx.store, { clientId: 'wiki', redirectUris: ['https://wiki.example.com/callback'], grantTypes: ['authorization_code'] }, { actor: 'test' });
    const user = await createUserWithPassword(server.ctx, 'noor', PASSWORD);
    const keyFile = await enrolCli(server, user.id, tmp.dir, 'noor');

    /** Signs in through the app up to the push page; returns what the authenticator is shown. */
    async function pushFor(clientId: string, redirectUri: string): Promise<string> {
      const b = new Browserish(server.url);
      const verifier = randomBytes(32).toString('base64url');
      const query = new URLSearchParams({
        client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: randomBytes(8).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      });
      const page = await follow(b, `/oidc/auth?${query}`);
      assert.match(page, /^\/signin\//, 'the app sent the browser to the sign-in pages');
      const csrf = hiddenCsrf((await b.request('GET', page)).body);
      await b.request('POST', `${page}/username`, { csrf, username: 'noor' });
      await b.request('POST', `${page}/password`, { csrf, password: PASSWORD });
      await b.request('GET', page); // the push page sends the request
      const pending = await pendingJson(keyFile);
      assert.equal(pending.length, 1, 'one request waits');
      // Answer it, so the next sign-in is not held back by the per-user push limit.
      await server.ctx.store.db.updateTable('push_requests').set({ status: 'denied' }).where('id', '=', pending[0]!.id).execute();
      return pending[0]!.app;
    }

    await t.test('the person reads "Company Mail", not the client id', async () => {
      assert.equal(await pushFor('mail', REDIRECT), 'Company Mail');
    });

    await t.test('an app without a display name is shown by its client id', async () => {
      assert.equal(await pushFor('wiki', 'https://wiki.example.com/callback'), 'wiki');
    });
  });
}
