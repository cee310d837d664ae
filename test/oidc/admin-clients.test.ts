import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { startOidcServer } from './support.ts';

for (const engine of ENGINES) {
  test(`admin API for OpenID Connect clients on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startOidcServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const admin = await createApiToken(ctx.store, { role: 'security_admin', name: 'sec' }, { actor: 'test' });
    const auditor = await createApiToken(ctx.store, { role: 'auditor', name: 'aud' }, { actor: 'test' });
    const helpdesk = await createApiToken(ctx.store, { role: 'helpdesk', name: 'hd' }, { actor: 'test' });

    const call = async (token: string | null, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}/api/admin${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
    };

    await t.test('create returns the secret once; the secret works at the token endpoint', async () => {
      const created = await call(admin.token, 'POST', '/clients', { clientId: 'billing-sync', grantTypes: ['client_credentials'], name: 'Billing' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const secret = created.body!.clientSecret as string;
      assert.match(secret, /^tcs_/);
      assert.equal((created.body!.client as { tokenEndpointAuthMethod: string }).tokenEndpointAuthMethod, 'client_secret_basic');
      const config = await oidc.discovery(new URL(server.url), 'billing-sync', secret, undefined, { execute: [oidc.allowInsecureRequests] });
      assert.ok((await oidc.clientCredentialsGrant(config)).access_token);

      const shown = await call(auditor.token, 'GET', '/clients/billing-sync');
      assert.equal(shown.status, 200);
      assert.equal(shown.body!.name, 'Billing');
      assert.ok(!JSON.stringify(shown.body).includes(secret));
      const audit = await ctx.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'client.create').executeTakeFirstOrThrow();
      assert.equal(audit.actor, `token:${admin.id}`);
      assert.ok(audit.request_id);
    });

    await t.test('clear 4xx answers for bad input, duplicates, unknown ids', async () => {
      const http = await call(admin.token, 'POST', '/clients', { clientId: 'plain', redirectUris: ['http://app.example.com/cb'] });
      assert.equal(http.status, 400);
      assert.match(String(http.body!.message), /plain http is allowed for localhost only/);
      const mixed = await call(admin.token, 'POST', '/clients', { clientId: 'spa', public: true, grantTypes: ['client_credentials'] });
      assert.equal(mixed.status, 400);
      const extra = await call(admin.token, 'POST', '/clients', { clientId: 'x-y', grantTypes: ['client_credentials'], secret: 'mine' });
      assert.equal(extra.status, 400, 'unknown fields are refused');
      const dup = await call(admin.token, 'POST', '/clients', { clientId: 'billing-sync', grantTypes: ['client_credentials'] });
      assert.equal(dup.status, 409);
      assert.equal((await call(admin.token, 'GET', '/clients/nobody')).status, 404);
      assert.equal((await call(admin.token, 'DELETE', '/clients/nobody')).status, 404);
    });

    await t.test('permissions: clients:read to look, clients:write to change', async () => {
      assert.equal((await call(null, 'GET', '/clients')).status, 401);
      assert.equal((await call(helpdesk.token, 'GET', '/clients')).status, 403);
      const list = await call(auditor.token, 'GET', '/clients');
      assert.equal(list.status, 200);
      assert.deepEqual((list.body!.items as Array<{ clientId: string }>).map((c) => c.clientId), ['billing-sync']);
      assert.equal((await call(auditor.token, 'POST', '/clients', { clientId: 'nope', grantTypes: ['client_credentials'] })).status, 403);
      assert.equal((await call(auditor.token, 'DELETE', '/clients/billing-sync')).status, 403);
    });

    await t.test('delete: the client and its tokens stop working', async () => {
      const created = await call(admin.token, 'POST', '/clients', { clientId: 'short-lived', grantTypes: ['client_credentials'] });
      const secret = created.body!.clientSecret as string;
      const config = await oidc.discovery(new URL(server.url), 'short-lived', secret, undefined, { execute: [oidc.allowInsecureRequests] });
      const { access_token } = await oidc.clientCredentialsGrant(config);
      // Another client (a resource server) introspects the token before and after.
      const rsSecret = (await call(admin.token, 'POST', '/clients', { clientId: 'api-gw', grantTypes: ['client_credentials'] })).body!.clientSecret as string;
      const rs = await oidc.discovery(new URL(server.url), 'api-gw', rsSecret, undefined, { execute: [oidc.allowInsecureRequests] });
      assert.equal((await oidc.tokenIntrospection(rs, access_token)).active, true);
      assert.equal((await call(admin.token, 'DELETE', '/clients/short-lived')).status, 204);
      assert.equal((await oidc.tokenIntrospection(rs, access_token)).active, false);
      await assert.rejects(oidc.clientCredentialsGrant(config));
    });

    await t.test('the operations are in the OpenAPI document', async () => {
      const res = await fetch(`${server.url}/api/openapi.json`);
      const doc = (await res.json()) as { paths: Record<string, Record<string, { operationId: string }>> };
      assert.equal(doc.paths['/api/admin/clients']?.post?.operationId, 'createClient');
      assert.equal(doc.paths['/api/admin/clients/{id}']?.delete?.operationId, 'deleteClient');
    });
  });
}
