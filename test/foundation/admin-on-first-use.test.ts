import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { z } from 'zod';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { defineOperation, registeredOperations, type Operation } from '../../src/http/routes/admin/operation.ts';
import { registerOperationsOnFirstUse } from '../../src/http/routes/admin/on-first-use.ts';
import { injectedServer } from './support.ts';

/** The admin API's operations load at the first call under their prefix (src/http/routes/admin/on-first-use.ts). */
const thing = defineOperation({
  method: 'GET', path: '/things/:id', operationId: 'getThing', summary: 'A thing', tag: 'things', permission: 'users:read',
  params: z.object({ id: z.string() }), response: z.object({ id: z.string() }),
  handler: async ({ params }) => ({ id: params.id }),
});

test('nothing is loaded before the first call, once after it, and a failed load is tried again', async (t) => {
  let loads = 0;
  let failNext = true;
  const app = Fastify();
  t.after(() => app.close());
  await app.register(cookie);
  // What the permission check reads before it asks for a token: no store is needed to answer 401.
  app.decorate('ctx', { config: { issuer: 'http://127.0.0.1' } } as never);
  await app.register(async (admin) => registerOperationsOnFirstUse(admin, async (): Promise<readonly Operation[]> => {
    loads++;
    if (failNext) {
      failNext = false;
      throw new Error('cannot read the module');
    }
    return [thing];
  }), { prefix: '/api/admin' });
  await app.ready();
  assert.equal(loads, 0, 'start-up loads nothing');
  assert.equal((await app.inject({ method: 'GET', url: '/api/admin/things/a' })).statusCode, 500, 'the failed load fails that request');
  const second = await app.inject({ method: 'GET', url: '/api/admin/things/a' });
  assert.equal(second.statusCode, 401, `the next one loads again and reaches the permission check: ${second.body}`);
  assert.equal((await app.inject({ method: 'GET', url: '/api/admin/nothing-here' })).statusCode, 404);
  assert.equal(loads, 2);
  const groups = await registeredOperations(app);
  assert.deepEqual(groups.map((g) => [g.prefix, g.operations.map((o) => o.operationId)]), [['/api/admin', ['getThing']]]);
});

for (const engine of ENGINES) {
  test(`the admin API answers through the first-use router as it did route by route, on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const admin = await s.token('global_admin');
    const created = await s.call('POST', '/api/admin/users', { token: admin, body: { username: 'zoë.o-brien' } });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = JSON.parse(created.body) as { id: string };
    const shown = await s.call('GET', `/api/admin/users/${encodeURIComponent(id)}`, { token: admin });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal((JSON.parse(shown.body) as { username: string }).username, 'zoë.o-brien');
    const head = await s.call('HEAD', '/api/admin/users', { token: admin });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    const missing = await s.call('GET', '/api/admin/no-such-thing', { token: admin });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(JSON.parse(missing.body), { error: 'not_found', message: 'no route for GET /api/admin/no-such-thing' });
    assert.equal((await s.call('DELETE', '/api/admin/users', { token: admin })).statusCode, 404, 'a method the path does not have');
    assert.equal((await s.call('GET', '/api/admin/users', {})).statusCode, 401);
  });
}
