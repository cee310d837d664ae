import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findUserById } from '../../../directory/users.ts';
import { listSignins } from '../../../monitor/signin-log.ts';
import { badRequest, notFound } from '../../errors.ts';
import { requirePortalSession, requireRecentAuth } from './guard.ts';
import { selfService } from './self-service.ts';

const enrolParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'unknown enrolment') });
const verifyBody = z.object({ code: z.string().min(1).max(16), label: z.string().max(64).optional() });
const removeParams = z.object({ type: z.enum(['totp', 'backup_code']), id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

/** Self-service JSON API on the portal session (the page's twin, for scripts and the browser app). */
export async function accountApiRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const service = selfService(ctx);

  app.get('/', async (request) => {
    const { session, csrf } = await requirePortalSession(ctx, request, false);
    const user = await findUserById(ctx.store.db, session.userId);
    if (!user) throw notFound('user not found');
    return { user, session: { amr: session.amr, acr: session.acr, authTime: session.authTime, mfaAt: session.mfaAt }, csrf };
  });

  app.get('/methods', async (request) => {
    const { session } = await requirePortalSession(ctx, request, false);
    return { methods: await service.methods(session.userId) };
  });

  app.get('/signins', async (request) => {
    const { session } = await requirePortalSession(ctx, request, false);
    return { signins: await listSignins(ctx.store.db, { userId: session.userId, limit: 50 }) };
  });

  app.post('/totp', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const e = await service.beginTotp(session.userId);
    return reply.status(201).send({ enrolmentId: e.enrolmentId, secret: e.secretBase32, otpauthUri: e.otpauthUri, qrSvg: e.qrSvg });
  });

  app.post('/totp/:id/verify', async (request) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const { id } = enrolParams.parse(request.params);
    const body = verifyBody.parse(request.body);
    const result = await service.finishTotp(session, id, body.code, body.label ?? '', request);
    if (!result.ok) throw badRequest('the code is not right or the enrolment expired', 'invalid_code');
    return { added: true, credentialId: result.credentialId };
  });

  app.post('/backup-codes', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    return reply.status(201).send({ codes: await service.regenerateBackupCodes(session.userId, request) });
  });

  app.delete('/methods/:type/:id', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const { type, id } = removeParams.parse(request.params);
    if (!(await service.removeMethod(session.userId, type, id, request))) throw notFound('no such method');
    return reply.status(204).send();
  });
}
