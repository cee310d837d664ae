import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';

const PASSWORD = 'violet tangerine lighthouse';

for (const engine of ENGINES) {
  test(`POST /signout needs the page's CSRF token on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    await createUserWithPassword(server.ctx, 'bob', PASSWORD);
    const b = new Browserish(server.url);
    await startPortalSignin(b, 'bob', PASSWORD);
    const account = await b.request('GET', '/account');
    assert.equal(account.status, 200);
    const form = /<form method="post" action="\/signout">(.*?)<\/form>/s.exec(account.body)?.[1] ?? '';
    const csrf = hiddenCsrf(form);

    // SameSite=Lax keeps the cookie off cross-site posts, but a sibling subdomain is the same site: the token decides.
    const forgeries: Array<Record<string, string> | undefined> = [undefined, {}, { csrf: '0'.repeat(64) }, { csrf: 'not-a-token' }];
    for (const body of forgeries) {
      const forged = await b.request('POST', '/signout', body);
      assert.equal(forged.status, 403, JSON.stringify(body));
      assert.equal((await b.request('GET', '/account')).status, 200, 'still signed in');
    }

    const out = await b.request('POST', '/signout', { csrf });
    assert.equal(out.status, 200);
    assert.match(out.body, /You are signed out/);
    assert.equal((await b.request('GET', '/account')).status, 303, 'the account page now asks to sign in');
    const again = await b.request('POST', '/signout');
    assert.equal(again.status, 200, 'without a session there is nothing to protect');
  });
}
