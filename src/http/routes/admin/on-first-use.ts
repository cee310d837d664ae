import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { lazyModule } from '../../../app/lazy.ts';
import { requirePermission } from '../../admin-auth.ts';
import { answerOperation, listOperations, type Operation } from './operation.ts';

/**
 * Registers operations whose modules are loaded by the first request under the
 * prefix (or the first read of the OpenAPI document), not at start-up. The
 * admin API's declarations and the services behind them are some 8 MB of a
 * server's memory, held from start-up on by a process that mostly signs
 * people in and may never see an admin call.
 *
 * One route takes every path under the prefix and hands the request to the
 * operation it names. The match is made by find-my-way, the router Fastify
 * itself uses, with Fastify's defaults, so paths, parameters and their decoding
 * are what registering each operation as its own route gives; a path no
 * operation has gets the server's own 404. HEAD runs the GET operation, as
 * Fastify does for its routes.
 */
export function registerOperationsOnFirstUse(app: FastifyInstance, load: () => Promise<readonly Operation[]>): void {
  // A failed load (a module that cannot be read) is tried again by the next request, not kept.
  const routes = lazyModule(() => load().then(tableOf));
  listOperations(app, async () => (await routes()).operations);
  const prefix = app.prefix;
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const { router } = await routes();
      const path = FindMyWay.sanitizeUrlPath(request.url.slice(prefix.length));
      const found = router.find((request.method === 'HEAD' ? 'GET' : request.method) as HTTPMethod, path);
      if (!found) return reply.callNotFound();
      const { op, checkPermission } = found.store as Routed;
      request.params = found.params;
      matched.set(request, prefix + op.path);
      await checkPermission.call(app, request, reply);
      return answerOperation(op, request, reply);
    },
  });
}

interface Routed {
  op: Operation;
  checkPermission: preHandlerAsyncHookHandler;
}

interface Table {
  operations: readonly Operation[];
  router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
}

function tableOf(operations: readonly Operation[]): Table {
  const router = FindMyWay();
  for (const op of operations) router.on(op.method, op.path, () => {}, { op, checkPermission: requirePermission(op.permission) } satisfies Routed);
  return { operations, router };
}

const matched = new WeakMap<FastifyRequest, string>();

/** The route pattern of the operation that answered (e.g. "/api/admin/users/:id"), for metrics; undefined for other requests. */
export function operationRoute(request: FastifyRequest): string | undefined {
  return matched.get(request);
}
