import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { page } from '../../html.ts';
import { MethodError } from '../../../methods/errors.ts';
import { findUserById } from '../../../directory/users.ts';
import { listSignins } from '../../../monitor/signin-log.ts';
import { hasRecentAuth } from '../../../signin/step-up.ts';
import { formCsrfValid, portalAuth, signinRedirect, type PortalAuth } from './guard.ts';
import { accountView, backupCodesView, NOTICES, totpEnrolView } from './views.ts';
import { selfService } from './self-service.ts';
import { accountApiRoutes } from './api.ts';
import { accountDeviceRoutes } from './devices.ts';
import { accountWebauthnRoutes } from './webauthn-routes.ts';
import { accountPasswordRoutes } from './password-routes.ts';
import { listServiceProviderNames } from '../../../protocols/saml/service-providers.ts';

const enrolParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });
const removeParams = z.object({ type: z.enum(['totp', 'backup_code']), id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

function sendPage(reply: FastifyReply, title: string, body: ReturnType<typeof accountView>, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page({ title, body, wide: true }));
}

/**
 * The user's security page: their methods, recent sign-ins and security
 * changes. Works without JavaScript. Adding or removing a method needs MFA in
 * the last ten minutes; without it the person is sent to verify and back.
 */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const service = selfService(ctx);

  async function auth(request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<PortalAuth | null> {
    const a = await portalAuth(ctx, request);
    if (!a) signinRedirect(reply, returnTo);
    return a;
  }

  async function overview(reply: FastifyReply, a: PortalAuth, notice?: string, error?: string, status = 200) {
    const user = await findUserById(ctx.store.db, a.session.userId);
    if (!user) return signinRedirect(reply, '/account');
    const [methods, signins, activity, apps] = await Promise.all([
      service.methods(user.id),
      listSignins(ctx.store.db, { userId: user.id, limit: 10 }),
      service.activity(user.id),
      listServiceProviderNames(ctx.store.db),
    ]);
    const recent = await hasRecentAuth(ctx, a.session);
    // The SAML apps listed: opening one asks the access decision for that app, as a sign-in started at the app would.
    return sendPage(reply, 'Your security', accountView({ user, methods, signins, activity, csrf: a.csrf, notice, error, recent, apps }), status);
  }

  app.get<{ Querystring: { notice?: string } }>('/account', async (request, reply) => {
    const a = await auth(request, reply, '/account');
    if (!a) return reply;
    return overview(reply, a, NOTICES[request.query.notice ?? '']);
  });

  app.get('/account/totp/new', async (request, reply) => {
    const a = await auth(request, reply, '/account/totp/new');
    if (!a) return reply;
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account/totp/new', true);
    const e = await service.beginTotp(a.session.userId).catch((err: unknown) => {
      if (err instanceof MethodError && err.code === 'method_disabled') return null;
      throw err;
    });
    if (!e) return overview(reply, a, undefined, 'Your organisation does not allow authenticator apps for your account.', 403);
    return sendPage(reply, 'Add an authenticator app', totpEnrolView({ enrolmentId: e.enrolmentId, secret: e.secretBase32, qr: e.qrSvg, csrf: a.csrf }));
  });

  app.post('/account/totp/:id', async (request, reply) => {
    const a = await auth(request, reply, '/account');
    if (!a) return reply;
    const { id } = enrolParams.parse(request.params);
    if (!formCsrfValid(ctx, request)) return overview(reply, a, undefined, 'That form expired. Please try again.', 403);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account/totp/new', true);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const result = await service.finishTotp(a.session, id, String(body.code ?? ''), String(body.label ?? ''), request);
    if (!result.ok) {
      const pending = await service.loadTotp(a.session.userId, id);
      if (!pending) return overview(reply, a, undefined, 'That set-up expired. Start again.', 400);
      return sendPage(
        reply,
        'Add an authenticator app',
        totpEnrolView({ enrolmentId: id, secret: pending.secretBase32, qr: pending.qrSvg, csrf: a.csrf, error: 'That code is not right. Enter the current code from the app.' }),
        400,
      );
    }
    return reply.redirect('/account?notice=totp_added', 303);
  });

  app.post('/account/backup-codes', async (request, reply) => {
    const a = await auth(request, reply, '/account');
    if (!a) return reply;
    if (!formCsrfValid(ctx, request)) return overview(reply, a, undefined, 'That form expired. Please try again.', 403);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account', true);
    const codes = await service.regenerateBackupCodes(a.session.userId, request);
    return sendPage(reply, 'Backup codes', backupCodesView(codes));
  });

  app.post('/account/methods/:type/:id/remove', async (request, reply) => {
    const a = await auth(request, reply, '/account');
    if (!a) return reply;
    const { type, id } = removeParams.parse(request.params);
    if (!formCsrfValid(ctx, request)) return overview(reply, a, undefined, 'That form expired. Please try again.', 403);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account', true);
    const removed = await service.removeMethod(a.session.userId, type, id, request);
    if (!removed) return overview(reply, a, undefined, 'That method was not found.', 404);
    return reply.redirect('/account?notice=removed', 303);
  });

  await app.register(accountApiRoutes, { prefix: '/api/me' });
  await app.register(accountDeviceRoutes);
  await app.register(accountWebauthnRoutes);
  await app.register(accountPasswordRoutes);
}
