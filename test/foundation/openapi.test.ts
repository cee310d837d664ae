import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { injectedServer } from './support.ts';
import { ADMIN_OPERATIONS } from '../../src/http/routes/admin/operations.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, {
    operationId: string;
    parameters: Array<{ name: string; in: string; required: boolean }>;
    requestBody?: { content: { 'application/json': { schema: unknown } } };
    responses: Record<string, { content?: { 'application/json': { schema: unknown } } }>;
    security: unknown[];
    'x-permission': string;
  }>>;
  components: { securitySchemes: Record<string, unknown> };
};

test('OpenAPI 3.1 document at /api/openapi.json matches the routes', async (t) => {
  const s = await injectedServer('sqlite');
  t.after(() => s.close());
  const r = await s.call('GET', '/api/openapi.json');
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /application\/json/);
  const doc = JSON.parse(r.body) as Doc;
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.components.securitySchemes), ['adminToken']);

  const documented = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
  assert.equal(new Set(documented).size, documented.length, 'operation ids are unique');
  for (const op of ADMIN_OPERATIONS) assert.ok(documented.includes(op.operationId), `${op.operationId} is documented`);

  for (const op of ADMIN_OPERATIONS) {
    const path = '/api/admin' + op.path.replace(/:(\w+)/g, '{$1}');
    const entry = doc.paths[path]?.[op.method.toLowerCase()];
    assert.ok(entry, `${op.method} ${path} is documented`);
    assert.equal(entry['x-permission'], op.permission);
    assert.ok(entry.security.length > 0);
    const routeParams = [...op.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    assert.deepEqual(entry.parameters.filter((p) => p.in === 'path').map((p) => p.name), routeParams, `${op.operationId} path parameters`);
    for (const status of ['400', '401', '403', String(op.status)]) assert.ok(entry.responses[status], `${op.operationId} documents ${status}`);
    // The documented schemas are the validating schemas, converted.
    if (op.body) assert.deepEqual(entry.requestBody?.content['application/json'].schema, stripSchema(z.toJSONSchema(op.body, { io: 'input' })));
    if (op.response) assert.deepEqual(entry.responses[String(op.status)]!.content?.['application/json'].schema, stripSchema(z.toJSONSchema(op.response, { io: 'output' })));
  }

  const create = doc.paths['/api/admin/users']!.post!;
  const body = create.requestBody!.content['application/json'].schema as { properties: Record<string, { pattern?: string }>; required: string[]; additionalProperties: boolean };
  assert.deepEqual(body.required, ['username']);
  assert.ok(body.properties.username!.pattern);
  assert.equal(body.additionalProperties, false, 'unknown fields are refused, and the document says so');
  const list = doc.paths['/api/admin/users']!.get!;
  assert.deepEqual(list.parameters.map((p) => [p.name, p.in, p.required]), [
    ['status', 'query', false], ['kind', 'query', false], ['search', 'query', false], ['limit', 'query', false], ['offset', 'query', false],
  ]);
});

function stripSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _drop, ...rest } = schema;
  return rest;
}
