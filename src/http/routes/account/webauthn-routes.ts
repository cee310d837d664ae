import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { page } from '../../html.ts';
import { badRequest, conflict, notFound } from '../../errors.ts';
import { MethodError } from '../../../methods/errors.ts';
import { hasRecentAuth } from '../../../signin/step-up.ts';
import { formCsrfValid, portalAuth, requirePortalSession, requireRecentAuth, signinRedirect, type PortalAuth } from './guard.ts';
import { LastKeyError, webauthnSelfService } from './webauthn-service.ts';
import { WEBAUTHN_NOTICES, webauthnView } from './webauthn-views.ts';

const idParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'unknown credential') });
const optionsBody = z.object({ kind: z.enum(['passkey', 'security_key']).default('passkey'), csrf: z.string().optional() });
const addBody = z.object({ response: z.unknown(), name: z.string().max(64).optional(), csrf: z.string().optional() });
const renameBody = z.object({ name: z.string().min(1).max(64), csrf: z.string().optional() });

const SCRIPT = '/static/signin-webauthn.js';

/**
 * Self-service for security keys and passkeys: the page /account/webauthn
 * (list with details, rename, remove, add) and its JSON twin under
 * /api/me/webauthn. Adding, renaming and removing need a recent sign-in with
 * MFA (src/signin/step-up.ts), like every other method change.
 */
export async function accountWebauthnRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const keys = webauthnSelfService(ctx);

  async function show(reply: FastifyReply, a: PortalAuth, notice?: string, error?: string, status = 200) {
    const [credentials, recent] = await Promise.all([keys.list(a.session.userId), hasRecentAuth(ctx, a.session)]);
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page({ title: 'Security keys and passkeys', body: webauthnView({ credentials, csrf: a.csrf, recent, notice, error }), scripts: [SCRIPT] }));
  }

  /** The portal session, a valid form token and a recent sign-in, or the reply already sent. */
  async function changeAllowed(request: FastifyRequest, reply: FastifyReply): Promise<PortalAuth | null> {
    const a = await portalAuth(ctx, request);
    if (!a) {
      signinRedirect(reply, '/account/webauthn');
      return null;
    }
    if (!formCsrfValid(ctx, request)) {
      await show(reply, a, undefined, 'That form expired. Please try again.', 403);
      return null;
    }
    if (!(await hasRecentAuth(ctx, a.session))) {
      signinRedirect(reply, '/account/webauthn', true);
      return null;
    }
    return a;
  }

  app.get<{ Querystring: { notice?: string } }>('/account/webauthn', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/webauthn');
    return show(reply, a, WEBAUTHN_NOTICES[request.query.notice ?? '']);
  });

  app.post('/account/webauthn', async (request, reply) => {
    const a = await changeAllowed(request, reply);
    if (!a) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const result = await keys.finish(a.session, body.response, typeof body.name === 'string' ? body.name : '', request);
    if (!result.ok) return show(reply, a, undefined, result.message, result.reason === 'locked' ? 429 : 400);
    return reply.redirect('/account/webauthn?notice=added', 303);
  });

  app.post('/account/webauthn/:id/rename', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const a = await changeAllowed(request, reply);
    if (!a) return reply;
    const name = String((request.body as Record<string, unknown> | undefined)?.name ?? '');
    try {
      if (!(await keys.rename(a.session.userId, id, name, request))) return show(reply, a, undefined, 'That key was not found, or the name is empty.', 404);
    } catch (err) {
      if (err instanceof MethodError) return show(reply, a, undefined, `The name ${err.message.replace(/^label /, '')}.`, 400);
      throw err;
    }
    return reply.redirect('/account/webauthn?notice=renamed', 303);
  });

  app.post('/account/webauthn/:id/remove', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const a = await changeAllowed(request, reply);
    if (!a) return reply;
    try {
      if (!(await keys.remove(a.session.userId, id, request))) return show(reply, a, undefined, 'That key was not found.', 404);
    } catch (err) {
      if (err instanceof LastKeyError) return show(reply, a, undefined, err.message, 409);
      throw err;
    }
    return reply.redirect('/account/webauthn?notice=removed', 303);
  });

  // The JSON twin, for scripts and the browser app.
  app.get('/api/me/webauthn', async (request) => {
    const { session } = await requirePortalSession(ctx, request, false);
    return { credentials: await keys.list(session.userId) };
  });

  app.post('/api/me/webauthn/options', async (request) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const { kind } = optionsBody.parse(request.body ?? {});
    try {
      return { options: await keys.begin(session, kind) };
    } catch (err) {
      if (err instanceof MethodError) throw conflict(err.message);
      throw err;
    }
  });

  app.post('/api/me/webauthn', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const body = addBody.parse(request.body ?? {});
    const result = await keys.finish(session, body.response, body.name ?? '', request);
    if (!result.ok) throw badRequest(result.message, `registration_${result.reason}`);
    return reply.status(201).send({ credential: result.credential });
  });

  app.patch('/api/me/webauthn/:id', async (request) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const { id } = idParams.parse(request.params);
    const { name } = renameBody.parse(request.body ?? {});
    try {
      if (!(await keys.rename(session.userId, id, name, request))) throw notFound('no such security key or passkey');
    } catch (err) {
      if (err instanceof MethodError) throw badRequest(err.message, err.code);
      throw err;
    }
    return { renamed: true };
  });

  app.delete('/api/me/webauthn/:id', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const { id } = idParams.parse(request.params);
    try {
      if (!(await keys.remove(session.userId, id, request))) throw notFound('no such security key or passkey');
    } catch (err) {
      if (err instanceof LastKeyError) throw conflict(err.message);
      throw err;
    }
    return reply.status(204).send();
  });
}
