import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { injectedServer } from '../foundation/support.ts';

/** Cases the fuzz tests found, kept as plain tests so they stay fixed whatever the seed. */
for (const engine of ENGINES) {
  test(`text with a NUL character is a 400, not a database error, on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const token = await s.token('global_admin');
    // Found by test/fuzz/admin-api.test.ts: PostgreSQL refused the NUL in the query and the API answered 500.
    const inQuery = await s.call('GET', '/api/admin/alerts?kind=%00x', { token });
    assert.equal(inQuery.statusCode, 400, inQuery.body);
    assert.match(JSON.parse(inQuery.body).message, /NUL/);
    const inBody = await s.call('POST', '/api/admin/groups', { token, body: { name: 'staff', description: 'a\u0000b' } });
    assert.equal(inBody.statusCode, 400, inBody.body);
    const inPath = await s.call('GET', '/api/admin/users/%00', { token });
    assert.equal(inPath.statusCode, 400, inPath.body);
    assert.equal((await s.call('GET', '/api/admin/alerts?kind=x', { token })).statusCode, 200, 'other text is unchanged');
  });
}
