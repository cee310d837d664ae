import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registeredOperations, type Operation, type OperationGroup } from './routes/admin/operation.ts';
import { errorOut } from './routes/admin/schemas.ts';

/**
 * The OpenAPI 3.1 description of the JSON API, generated from the very zod
 * schemas the routes validate with (OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, which is what z.toJSONSchema emits). Every operation registered
 * with registerOperations or registerOperationsOnFirstUse, under any prefix, is described.
 */
export type { OperationGroup };

type JsonSchema = Record<string, unknown>;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: Operation['params'], where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const ERROR_RESPONSES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
};

function operationObject(op: Operation): JsonSchema {
  const responses: Record<string, unknown> = {};
  responses[String(op.status)] = op.response
    ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(op.response, 'output') } } }
    : { description: 'Done; no content' };
  for (const status of [400, 401, 403, ...op.errors]) {
    responses[String(status)] = { $ref: `#/components/responses/${ERROR_RESPONSES[status]}` };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: `Needs the \`${op.permission}\` permission.`,
    tags: [op.tag],
    'x-permission': op.permission,
    security: [{ adminToken: [] }],
    parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(groups: readonly OperationGroup[], options: { serverUrl?: string } = {}): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const group of groups) {
    for (const op of group.operations) {
      const path = group.prefix + op.path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
      paths[path] ??= {};
      paths[path][op.method.toLowerCase()] = operationObject(op);
      tags.add(op.tag);
    }
  }
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera API',
      version: VERSION,
      description: 'Directory administration: users, groups, roles, devices, API tokens, audit log.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An admin API token (tsk_…) from `tessera token create` or POST /api/admin/tokens. Its role decides what it may do.',
        },
      },
      schemas: { Error: jsonSchema(errorOut, 'output') },
      responses: {
        BadRequest: errorResponse('The input is not valid; the message says why'),
        Unauthorized: errorResponse('No API token, or one that is unknown, revoked or expired'),
        Forbidden: errorResponse("The token's role lacks the permission"),
        NotFound: errorResponse('No such user, group, device or token'),
        Conflict: errorResponse('A duplicate, or a change refused by a rule (e.g. the last active global admin)'),
      },
    },
  };
}

/** GET /api/openapi.json: public, like any API description; it holds no data. */
export async function openapiRoutes(app: FastifyInstance): Promise<void> {
  let cached: JsonSchema | undefined;
  // Built at the first request, when every plugin has registered its operations.
  app.get('/api/openapi.json', async () => {
    cached ??= buildOpenApiDocument(await registeredOperations(app), { serverUrl: app.ctx.config.issuer });
    return cached;
  });
}
