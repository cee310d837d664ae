import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { loadTransaction } from '../../../signin/transaction.ts';
import { readTransactionCookie } from '../signin/cookies.ts';
import { pushStateFor } from '../../../signin/steps/push.ts';

const keyParam = z.object({ key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'unknown sign-in') });

/**
 * For the push page's script: where this browser's push stands
 * (waiting | approved | denied | expired | suspended | rate_limited | not_allowed | moved).
 * Read-only: it never sends a push.
 */
export async function pushSigninStatusRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  app.get('/signin/:key/push-status', async (request, reply) => {
    const { key } = keyParam.parse(request.params);
    const secret = readTransactionCookie(request, key);
    const t = await loadTransaction(ctx.store.db, key, secret);
    reply.header('cache-control', 'no-store');
    if (!t || !secret) return reply.status(404).send({ status: 'expired_signin' });
    if (t.step !== 'push' || !t.userId) return { status: 'moved' };
    const s = await pushStateFor(ctx, t, false);
    return { status: s.kind };
  });
}
