import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { createApiToken } from '../../../src/directory/api-tokens.ts';
import { evidenceWorld } from './support.ts';

/** GET /api/admin/evidence: the signed JSON for auditors, verified with the JWKS as a reader would; bad input is a 400. */
for (const engine of ENGINES) {
  test(`evidence over the admin API on ${engine}`, engineSkip(engine), async (t) => {
    const world = await evidenceWorld(engine);
    t.after(() => world.close());
    const { ctx, url } = world.server;
    const auditor = await createApiToken(ctx.store, { role: 'auditor', name: 'audit firm', owner: 'audrey' }, { actor: 'test' });
    const helpdesk = (await createApiToken(ctx.store, { role: 'helpdesk', name: 'desk', owner: 'helen' }, { actor: 'test' })).token;
    const get = (query: string, bearer: string) => fetch(`${url}/api/admin/evidence?${query}`, { headers: { authorization: `Bearer ${bearer}` } });

    await t.test('answers the pack and a JWS over its exact bytes, which the published JWKS verifies', async () => {
      const res = await get(`from=${world.from}&to=${world.to}`, auditor.token);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { evidence: { sections: Array<{ id: string }> }; jws: string; keyId: string; sha256: string };
      const { kid, alg } = decodeProtectedHeader(body.jws);
      assert.equal(kid, body.keyId);
      const jwks = (await (await fetch(`${url}/oidc/jwks`)).json()) as { keys: JWK[] };
      const jwk = jwks.keys.find((k) => k.kid === kid);
      assert.ok(jwk, 'the key is published');
      const { payload } = await compactVerify(body.jws, await importJWK(jwk!, alg));
      assert.equal(createHash('sha256').update(payload).digest('hex'), body.sha256);
      assert.deepEqual(JSON.parse(Buffer.from(payload).toString('utf8')), body.evidence);
      assert.ok(body.evidence.sections.some((s) => s.id === 'signins'));
      const entry = await ctx.store.db.selectFrom('audit_log').select(['actor', 'after_json']).where('action', '=', 'evidence.export').executeTakeFirstOrThrow();
      assert.equal(entry.actor, `token:${auditor.id}`);
      assert.match(entry.after_json!, new RegExp(body.sha256));
    });

    await t.test('a bad or reversed period is a 400; a role without audit:read a 403', async () => {
      for (const q of ['from=2026-02-30&to=2026-03-01', 'from=2026-03-02&to=2026-03-01', `from=${world.from}`, 'from=1.1.2026&to=2026-03-01']) {
        const res = await get(q, auditor.token);
        assert.equal(res.status, 400, q);
      }
      assert.equal((await get(`from=${world.from}&to=${world.to}`, helpdesk)).status, 403);
    });
  });
}
