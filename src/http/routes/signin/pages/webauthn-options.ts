import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { loadTransaction } from '../../../../signin/transaction.ts';
import { webauthnOptions } from '../../../../signin/steps/webauthn.ts';
import { csrfValid, readTransactionCookie } from '../cookies.ts';

const params = z.object({ key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'unknown sign-in') });
const body = z.object({ csrf: z.string().max(128).optional(), kind: z.enum(['passkey', 'security_key']).optional() }).nullish();

/**
 * POST /signin/<key>/webauthn/options: the options for the WebAuthn ceremony of
 * the step the sign-in is at (its challenge is kept with the transaction).
 * Only the browser holding the transaction's cookie, with the page's CSRF token.
 */
export async function webauthnSigninRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  app.post('/signin/:key/webauthn/options', async (request, reply) => {
    const { key } = params.parse(request.params);
    const input = body.parse(request.body);
    const secret = readTransactionCookie(request, key);
    const t = await loadTransaction(ctx.store.db, key, secret);
    if (!t || !secret) return reply.status(400).send({ error: 'expired', message: 'this sign-in has expired; start again' });
    const given = request.headers['x-csrf-token'] ?? input?.csrf;
    if (!csrfValid(secret, given)) return reply.status(403).send({ error: 'forbidden', message: 'missing or invalid CSRF token' });
    const options = await webauthnOptions(ctx, t, input?.kind ?? 'passkey');
    if (!options) return reply.status(409).send({ error: 'conflict', message: 'this step of the sign-in has no security key or passkey to use' });
    return reply.header('cache-control', 'no-store').send(options);
  });
}
