import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import type { Permission } from '../../../directory/roles.ts';
import { DirectoryError, type ChangedBy } from '../../../directory/errors.ts';
import { requirePermission, type Principal } from '../../admin-auth.ts';
import { HttpError } from '../../errors.ts';
import { asActingPerson } from './acting-person.ts';

/**
 * One admin API operation, declared once: its route, the permission it needs,
 * the zod schemas that validate its input and shape its output, and the
 * handler. The server registers it and the OpenAPI document is generated from
 * the same declaration, so the two cannot drift apart.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type ObjectSchema = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;
type NoInput = z.ZodObject<{}, z.core.$strip>;

export interface OperationInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** The caller as an audit actor, with this request's id. */
  by: ChangedBy;
  ctx: AppContext;
  request: FastifyRequest;
}

export interface OperationSpec<P extends ObjectSchema, Q extends ObjectSchema, B extends z.ZodType, R extends z.ZodType> {
  method: HttpMethod;
  /** Fastify-style path below the group's prefix, e.g. "/users/:id". */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  permission: Permission;
  params?: P;
  query?: Q;
  body?: B;
  /** Absent: the operation answers 204 with no body. */
  response?: R;
  /** Defaults to 200 with a response, 204 without. */
  status?: 200 | 201 | 204;
  /** Statuses beyond 400/401/403 that this operation can answer with. */
  errors?: Array<404 | 409>;
  handler: (input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<z.input<R>>;
}

/** An operation with its types erased, as the server and the OpenAPI builder see it. */
export interface Operation {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  permission: Permission;
  params?: ObjectSchema;
  query?: ObjectSchema;
  body?: z.ZodType;
  response?: z.ZodType;
  status: 200 | 201 | 204;
  errors: Array<404 | 409>;
  run(request: FastifyRequest): Promise<unknown>;
}

const STATUS_OF: Record<DirectoryError['kind'], number> = { not_found: 404, conflict: 409, refused: 409, invalid: 400 };

export function toHttpError(err: DirectoryError): HttpError {
  return new HttpError(STATUS_OF[err.kind], err.kind, err.message);
}

export function defineOperation<
  P extends ObjectSchema = NoInput,
  Q extends ObjectSchema = NoInput,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodVoid,
>(spec: OperationSpec<P, Q, B, R>): Operation {
  return {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    tag: spec.tag,
    permission: spec.permission,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    response: spec.response,
    status: spec.status ?? (spec.response ? 200 : 204),
    errors: spec.errors ?? [],
    async run(request) {
      const principal = request.principal;
      if (!principal) throw new Error(`${spec.operationId}: no principal; the permission check did not run`);
      // Invalid input throws a ZodError, which the server answers with 400 and the reason.
      const body = spec.body
        ? await asActingPerson(request.server.ctx.store.db, spec.operationId, principal, request.body, request.params, (key) => schemaAccepts(spec.body, key))
        : undefined;
      const input = {
        params: (spec.params ? spec.params.parse(request.params) : {}) as z.output<P>,
        query: (spec.query ? spec.query.parse(request.query) : {}) as z.output<Q>,
        body: (spec.body ? spec.body.parse(body) : undefined) as z.output<B>,
        principal,
        by: { actor: principal.actor, requestId: request.id },
        ctx: request.server.ctx,
        request,
      };
      let result: unknown;
      try {
        result = await spec.handler(input);
      } catch (err) {
        if (err instanceof DirectoryError) throw toHttpError(err);
        throw err;
      }
      if (!spec.response) return undefined;
      // The response passes through its schema, which drops any field it does not
      // declare: a column added later cannot leak out unnoticed.
      const shaped = spec.response.safeParse(result);
      if (!shaped.success) throw new Error(`${spec.operationId}: response does not match its schema: ${shaped.error.message}`);
      return shaped.data;
    },
  };
}

/** Whether a body schema (an object, possibly optional) has this field. */
function schemaAccepts(schema: z.ZodType | undefined, key: string): boolean {
  let s: z.ZodType | undefined = schema;
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject && key in s.shape;
}

/** Operations registered under one route prefix, as the OpenAPI document lists them. */
export interface OperationGroup {
  prefix: string;
  operations: readonly Operation[];
}

interface ListedGroup {
  prefix: string;
  operations: () => Promise<readonly Operation[]>;
}

// Keyed by the HTTP server, which every encapsulated Fastify context of one app shares.
const registered = new WeakMap<object, ListedGroup[]>();

/** Lists operations registered under the app's current prefix for the OpenAPI document; `operations` may load them. */
export function listOperations(app: FastifyInstance, operations: () => Promise<readonly Operation[]>): void {
  const groups = registered.get(app.server) ?? [];
  groups.push({ prefix: app.prefix, operations });
  registered.set(app.server, groups);
}

/** Everything registered on this app so far, for the OpenAPI document (operations loaded on first use are loaded now). */
export async function registeredOperations(app: FastifyInstance): Promise<readonly OperationGroup[]> {
  const groups = registered.get(app.server) ?? [];
  return Promise.all(groups.map(async (g) => ({ prefix: g.prefix, operations: await g.operations() })));
}

/** Runs an operation whose permission check has passed and answers with its status. */
export async function answerOperation(op: Operation, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const payload = await op.run(request);
  reply.status(op.status);
  return op.status === 204 ? reply.send() : payload;
}

/**
 * Registers operations on a Fastify instance (inside its route prefix), each
 * behind its permission check, and lists them for the OpenAPI document.
 */
export function registerOperations(app: FastifyInstance, operations: readonly Operation[]): void {
  listOperations(app, async () => operations);
  for (const op of operations) {
    app.route({
      method: op.method,
      url: op.path,
      preHandler: requirePermission(op.permission),
      handler: (request, reply) => answerOperation(op, request, reply),
    });
  }
}
