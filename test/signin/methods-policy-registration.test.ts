import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { setMethodPolicy } from '../../src/methods/policy/check.ts';
import { beginTotpEnrolment } from '../../src/methods/totp/index.ts';
import { MethodError } from '../../src/methods/errors.ts';

const PASSWORD = 'violet tangerine lighthouse';

for (const engine of ENGINES) {
  test(`a method the methods policy turns off cannot be registered on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const judy = await createUserWithPassword(ctx, 'judy', PASSWORD);
    await setMethodPolicy(ctx.store, 'totp', { enabled: false }, { actor: 'test' });

    await assert.rejects(beginTotpEnrolment(ctx, judy.id), (err) => err instanceof MethodError && err.code === 'method_disabled');

    const b = new Browserish(server.url);
    const { afterPassword } = await startPortalSignin(b, 'judy', PASSWORD);
    assert.equal(afterPassword.location, '/account');
    const page = await b.request('GET', '/account/totp/new');
    assert.equal(page.status, 403);
    assert.match(page.body, /does not allow authenticator apps/);
    const me = JSON.parse((await b.request('GET', '/api/me')).body) as { csrf: string };
    const res = await fetch(`${server.url}/api/me/totp`, {
      method: 'POST',
      headers: { cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': me.csrf },
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: string }).error, 'method_disabled');
  });
}
