import { z } from 'zod';
import { resolveUser } from '../../../directory/users.ts';
import { listSignins } from '../../../monitor/signin-log.ts';
import { revokeEverywhere } from '../../../signin/session/revoke-everywhere.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams } from './schemas.ts';

const time = z.iso.datetime({ offset: true });

const signinOut = z.object({
  id: z.string(),
  at: time,
  userId: z.string().nullable(),
  username: z.string().nullable(),
  clientId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  methodsTried: z.array(z.string()),
  methodsUsed: z.array(z.string()),
  result: z.enum(['success', 'failure', 'locked', 'interrupted']),
  reason: z.string(),
  transactionId: z.string().nullable(),
  reportOnly: z.unknown().describe('What each report-only policy that applied would have done'),
  policies: z.unknown().describe('What each enforced policy that applied did: effect (block, satisfied, unsatisfied) and what was missing'),
});

const signinQuery = z.strictObject({
  user: z.string().max(128).optional(),
  since: time.optional(),
  result: z.enum(['success', 'failure', 'locked', 'interrupted']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const signinOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/signins', operationId: 'listSignins', summary: 'The sign-in log, newest first: every attempt with its outcome and reason', tag: 'signins', permission: 'signins:read',
    query: signinQuery,
    response: z.object({ items: z.array(signinOut) }), errors: [404],
    handler: async ({ ctx, query }) => {
      const userId = query.user ? (await resolveUser(ctx.store.db, query.user)).id : undefined;
      return { items: await listSignins(ctx.store.db, { userId, since: query.since, result: query.result, limit: query.limit }) };
    },
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/sessions/revoke', operationId: 'revokeUserSessions', summary: 'Sign a user out everywhere: Tessera sessions and every app session, grant and refresh token', tag: 'signins', permission: 'users:write',
    params: idParams,
    body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).default({}),
    response: z.object({ sessions: z.number().int(), appSessions: z.number().int(), grants: z.number().int(), appCredentials: z.number().int() }),
    errors: [404],
    handler: async ({ ctx, params, body, by }) => {
      const user = await resolveUser(ctx.store.db, params.id);
      return revokeEverywhere(ctx.store, user.id, { ...by, reason: body.reason });
    },
  }),
];
