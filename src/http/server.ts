import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import { ZodError } from 'zod';
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS, storeTrouble } from '../store/unavailable.ts';
import type { AppContext } from '../app/context.ts';
import { HttpError } from './errors.ts';
import { refuseNulText } from './nul-guard.ts';
import { MethodError } from '../methods/errors.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { addMetrics } from './metrics.ts';
import { healthRoutes } from './routes/health.ts';
import { setupRoutes } from './routes/setup.ts';
import { staticRoutes } from './routes/static.ts';
import { homeRoutes } from './routes/home.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { openapiRoutes } from './openapi.ts';
import { signinRoutes } from './routes/signin/routes.ts';
import { accountRoutes } from './routes/account/routes.ts';
import { oidcRoutes } from '../protocols/oidc/mount.ts';
import { adminClientRoutes } from './routes/admin-clients.ts';
import { policySchemaRoute } from './routes/policy-schema.ts';
import { vendorRoutes } from './routes/vendor.ts';
import { webauthnSigninRoutes } from './routes/signin/pages/webauthn-options.ts';
import { pushRoutes } from './routes/push/index.ts';
import { samlRoutes } from './routes/saml/routes.ts';
import { consoleRoutes } from './routes/console/routes.ts';
import { installRecoveryHooks } from '../recovery/signin-hooks.ts';
import { installWebauthnRecorder } from '../monitor/webauthn-events.ts';
import { scimRoutes } from '../protocols/scim/routes.ts';
import { mountRadius } from '../protocols/radius/mount.ts';
import { mountLdap } from '../protocols/ldap/mount.ts';
import { mountDetections } from '../monitor/detections/mount.ts';
import { reportRoutes } from './routes/report.ts';
import { mountOutbox } from '../monitor/outbox/mount.ts';
import { mountSigninLog } from '../monitor/signin-mount.ts';
import { useBranding } from './branding.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildServer(ctx: AppContext): Promise<FastifyInstance> {
  // The composition root: recovery joins the sign-in engine through its hooks (src/signin/hooks.ts).
  installRecoveryHooks();
  installWebauthnRecorder();
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 256 * 1024,
    // Keep an incoming request id when it is well-formed, so logs join up across a proxy.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
  });
  app.decorate('ctx', ctx);
  useBranding(app, ctx.config);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Our own request log: the path without its query string, which may carry tokens.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({ error: error.code, message: error.message });
    }
    if (error instanceof MethodError) {
      const status = error.code === 'method_disabled' ? 403 : error.code.endsWith('not_found') ? 404 : error.code === 'too_many' ? 409 : 400;
      return reply.status(status).send({ error: error.code, message: error.message });
    }
    if (error instanceof ZodError) {
      const issue = error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return reply.status(400).send({ error: 'invalid_request', message: `${where}${issue?.message ?? 'invalid input'}` });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.status(status).send({ error: 'invalid_request', message: (error as Error).message });
    }
    if (isStoreUnavailable(error)) {
      // Not a bug: the database is down or busy. Clients and proxies may retry after a pause.
      request.log.warn({ err: error }, `store unavailable: ${storeTrouble(error)}`);
      return reply
        .status(503)
        .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        .send({ error: 'temporarily_unavailable', message: 'the database cannot be reached right now; try again shortly', request_id: request.id });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: 'server_error', message: 'internal error', request_id: request.id });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });

  addSecurityHeaders(app, { https: ctx.config.issuer.startsWith('https:') });
  const registry = addMetrics(app, ctx.config);
  mountRadius(app, registry);
  mountLdap(app);
  mountDetections(app);
  mountOutbox(app, registry);
  mountSigninLog(app, registry);
  await app.register(healthRoutes);
  // oidc-provider reads its own bodies and cookies: its routes stay outside the
  // form and cookie parsing that the pages and APIs below need.
  await app.register(oidcRoutes);
  // SCIM parses its own application/scim+json bodies and answers in SCIM's error format.
  await app.register(scimRoutes, { prefix: '/scim/v2' });
  await app.register(async (web) => {
    // Every page and JSON API below refuses text holding NUL (PostgreSQL cannot store it): one 400 on both engines.
    refuseNulText(web);
    await web.register(formbody);
    await web.register(cookie);
    await web.register(setupRoutes);
    await web.register(staticRoutes);
    await web.register(homeRoutes);
    await web.register(vendorRoutes);
    await web.register(adminRoutes, { prefix: '/api/admin' });
    await web.register(openapiRoutes);
    await web.register(signinRoutes);
    await web.register(webauthnSigninRoutes);
    await web.register(pushRoutes);
    await web.register(accountRoutes);
    await web.register(samlRoutes);
    await web.register(consoleRoutes);
    await web.register(adminClientRoutes, { prefix: '/api/admin' });
    await web.register(policySchemaRoute);
    await web.register(reportRoutes);
  });
  return app;
}
