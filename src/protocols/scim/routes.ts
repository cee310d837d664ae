import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { authenticateApiToken } from '../../directory/api-tokens.ts';
import { DirectoryError } from '../../directory/errors.ts';
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from '../../store/unavailable.ts';
import { ScimError, errorBody, notFound } from './errors.ts';
import { listResponse, project, readListQuery } from './list.ts';
import { applyPatch, parsePatch } from './patch.ts';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA, resourceTypes, schemaResources, serviceProviderConfig } from './schemas.ts';
import { deleteScimUser, getUserResource, listUserResources, putUser, type ScimClient } from './users.ts';
import { deleteGroupResource, getGroupResource, listGroupResources, putGroup } from './groups.ts';
import { refuseNulText } from '../../http/nul-guard.ts';

/**
 * The SCIM 2.0 service provider (RFC 7643 / 7644), registered with
 * `{ prefix: '/scim/v2' }`: an HR system or cloud directory provisions people
 * and groups with an API token of the provisioning role. Every answer,
 * errors included, is application/scim+json.
 */
const SCIM_TYPE = 'application/scim+json; charset=utf-8';
const BEARER = /^Bearer +(\S+) *$/i;

declare module 'fastify' {
  interface FastifyRequest {
    scimClient?: ScimClient;
  }
}

type IdParams = { Params: { id: string } };

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).type(SCIM_TYPE).send(body);
}

function errorReply(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof ScimError) return send(reply, error.status, errorBody(error.status, error.message, error.scimType));
  if (error instanceof DirectoryError) {
    if (error.kind === 'not_found') return send(reply, 404, errorBody(404, error.message));
    if (error.kind === 'conflict') return send(reply, 409, errorBody(409, error.message, 'uniqueness'));
    return send(reply, 400, errorBody(400, error.message, error.kind === 'invalid' ? 'invalidValue' : undefined));
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return send(reply, 400, errorBody(400, `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`, 'invalidValue'));
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own refusals: a body that is not JSON, too large, of another media type.
    return send(reply, status, errorBody(status, (error as Error).message, status === 400 ? 'invalidSyntax' : undefined));
  }
  if (isStoreUnavailable(error)) {
    request.log.warn({ err: error }, 'store not reachable');
    reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    return send(reply, 503, errorBody(503, 'the database cannot be reached right now; try again shortly'));
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 500, errorBody(500, `internal error (request ${request.id})`));
}

async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const m = BEARER.exec(request.headers.authorization ?? '');
  const identity = m ? await authenticateApiToken(request.server.ctx.store, m[1]!, { ip: request.ip }) : null;
  if (!identity) {
    reply.header('www-authenticate', 'Bearer realm="tessera-scim"');
    throw new ScimError(401, 'send an API token of the provisioning role: Authorization: Bearer <token>');
  }
  if (!identity.permissions.includes('scim:provision')) {
    throw new ScimError(403, `provisioning over SCIM needs a token of the provisioning role; this one is ${identity.role}`);
  }
  request.scimClient = { tokenId: identity.id, requestId: request.id };
}

const listOf = (resources: unknown[]) => ({ schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });

export async function scimRoutes(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.setErrorHandler((error, request, reply) => errorReply(request, reply, error));
  app.setNotFoundHandler((request, reply) => send(reply, 404, errorBody(404, `no SCIM endpoint ${request.method} ${request.url.split('?')[0]}`)));
  app.addHook('onRequest', authenticate);
  // As the pages and APIs do (src/http/server.ts): PostgreSQL cannot store NUL, so it is refused here as a SCIM 400.
  refuseNulText(app);

  const base = `${app.ctx.config.issuer}/scim/v2`;
  const db = () => app.ctx.store.db;
  const store = () => app.ctx.store;
  const client = (r: FastifyRequest) => r.scimClient!;

  app.get('/ServiceProviderConfig', async (_r, reply) => send(reply, 200, serviceProviderConfig(base)));
  app.get('/ResourceTypes', async (_r, reply) => send(reply, 200, listOf(resourceTypes(base))));
  app.get<IdParams>('/ResourceTypes/:id', async (r, reply) => {
    const found = resourceTypes(base).find((t) => t.id === r.params.id);
    if (!found) throw notFound(`no ResourceType ${r.params.id}`);
    return send(reply, 200, found);
  });
  app.get('/Schemas', async (_r, reply) => send(reply, 200, listOf(schemaResources(base))));
  app.get<IdParams>('/Schemas/:id', async (r, reply) => {
    const found = schemaResources(base).find((s) => s.id === r.params.id);
    if (!found) throw notFound(`no Schema ${r.params.id}`);
    return send(reply, 200, found);
  });

  const kinds = [
    { path: 'Users', urns: [USER_SCHEMA, ENTERPRISE_SCHEMA], readOnly: ['id', 'meta', 'groups'], list: listUserResources, get: getUserResource, put: putUser, del: deleteScimUser },
    { path: 'Groups', urns: [GROUP_SCHEMA], readOnly: ['id', 'meta'], list: listGroupResources, get: getGroupResource, put: putGroup, del: deleteGroupResource },
  ];
  for (const k of kinds) {
    app.get(`/${k.path}`, async (r, reply) => send(reply, 200, listResponse(await k.list(db(), base), readListQuery(r.query))));
    app.get<IdParams>(`/${k.path}/:id`, async (r, reply) => send(reply, 200, project(await k.get(db(), base, r.params.id), readListQuery(r.query))));
    app.post(`/${k.path}`, async (r, reply) => {
      const id = await k.put(store(), client(r), null, r.body);
      const created = await k.get(db(), base, id);
      return send(reply.header('location', `${base}/${k.path}/${id}`), 201, created);
    });
    app.put<IdParams>(`/${k.path}/:id`, async (r, reply) => {
      await k.get(db(), base, r.params.id);
      await k.put(store(), client(r), r.params.id, r.body);
      return send(reply, 200, await k.get(db(), base, r.params.id));
    });
    app.patch<IdParams>(`/${k.path}/:id`, async (r, reply) => {
      const patch = parsePatch(r.body);
      const current = await k.get(db(), base, r.params.id);
      await k.put(store(), client(r), r.params.id, applyPatch(current, patch, k.urns, k.readOnly));
      return send(reply, 200, await k.get(db(), base, r.params.id));
    });
    app.delete<IdParams>(`/${k.path}/:id`, async (r, reply) => {
      await k.del(store(), client(r), r.params.id);
      return reply.status(204).send();
    });
  }
}
