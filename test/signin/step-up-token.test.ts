import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { sessionCookieName } from '../../src/signin/session/cookie.ts';
import { loadSession } from '../../src/signin/session/sessions.ts';

/** A step-up raises what a session may do: it is issued under a new token, and the old one stops working. */
const PASSWORD = 'violet tangerine lighthouse';

for (const engine of ENGINES) {
  test(`a step-up issues a new session token on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    await createUserWithPassword(ctx, 'gwen', PASSWORD);
    const b = new Browserish(server.url);
    const { afterPassword } = await startPortalSignin(b, 'gwen', PASSWORD);
    assert.equal(afterPassword.location, '/account');
    const name = sessionCookieName(ctx.config);
    const before = b.cookies.get(name)!;
    const old = await loadSession(ctx.store.db, before, ctx.config.session);
    assert.ok(old);

    const start = await b.request('GET', '/signin?step_up=1&return_to=/account');
    const path = start.location!;
    const page = await b.request('GET', path);
    const done = await b.request('POST', `${path}/password`, { csrf: hiddenCsrf(page.body), password: PASSWORD });
    assert.equal(done.location, '/account');
    const after = b.cookies.get(name)!;
    assert.notEqual(after, before, 'a new token');
    assert.equal(await loadSession(ctx.store.db, before, ctx.config.session), null, 'the token from before the step-up is dead');
    const fresh = await loadSession(ctx.store.db, after, ctx.config.session);
    assert.ok(fresh && fresh.id !== old.id);
    assert.equal(fresh.absoluteExpiresAt.getTime() <= old.absoluteExpiresAt.getTime(), true, 'a step-up never lengthens the session');
    assert.match((await b.request('GET', '/account')).body, /Signed in as/);
  });
}
