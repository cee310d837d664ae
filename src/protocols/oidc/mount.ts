import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { cleanupExpired } from './adapter.ts';
import { OidcRuntime } from './runtime.ts';
import { contentSecurityPolicy } from '../../http/csp.ts';
import { ROUTES } from './settings.ts';
import { HttpError } from '../../http/errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * This node's OpenID Connect provider, for the sign-in pages:
     * `app.oidc.interactionDetails(request.raw, reply.raw)` and
     * `app.oidc.interactionFinished(request.raw, reply.raw, result)`.
     * Read it per request: it is replaced when the signing keys change.
     */
    oidc: Provider;
    /** Rebuilds the provider now if the signing keys changed (otherwise a timer does it). */
    reloadOidcKeys(): Promise<boolean>;
  }
}

type NodeHandler = ReturnType<Provider['callback']>;
const handlers = new WeakMap<Provider, NodeHandler>();

/** Koa composes its middleware on every callback() call; once per provider is enough. */
function handlerFor(provider: Provider): NodeHandler {
  let handler = handlers.get(provider);
  if (!handler) {
    handler = provider.callback();
    handlers.set(provider, handler);
  }
  return handler;
}

export interface OidcRoutesOptions {
  /** How often to look for rotated signing keys. */
  keyReloadMs?: number;
  /** How often to delete expired sessions, codes and tokens. */
  cleanupMs?: number;
}

/**
 * Serves oidc-provider inside Fastify: every /oidc/* path and the discovery
 * documents are handed, raw request and response, to the provider's own
 * handler. Bodies are left unread here because oidc-provider parses them itself.
 */
export async function oidcRoutes(app: FastifyInstance, options: OidcRoutesOptions = {}): Promise<void> {
  const { ctx } = app;
  const runtime = await OidcRuntime.start(ctx);
  app.decorate('oidc', { getter: () => runtime.provider });
  app.decorate('reloadOidcKeys', () => runtime.reloadIfKeysChanged());

  const timers = [
    setInterval(() => {
      runtime.reloadIfKeysChanged().catch((err: unknown) => ctx.logger.error({ err }, 'reloading OIDC signing keys failed'));
    }, options.keyReloadMs ?? 30_000),
    setInterval(() => {
      cleanupExpired(ctx.store)
        .then((n) => n && ctx.logger.debug({ deleted: n }, 'expired OIDC records deleted'))
        .catch((err: unknown) => ctx.logger.error({ err }, 'deleting expired OIDC records failed'));
    }, options.cleanupMs ?? 10 * 60_000),
  ];
  for (const t of timers) t.unref();
  app.addHook('onClose', async () => timers.forEach(clearInterval));

  const https = ctx.config.issuer.startsWith('https:');
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const res = reply.raw;
    // Headers earlier hooks put on the reply (the request id) would be lost with hijack().
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    // oidc-provider adds the hash of its one inline script (form_post) to this policy itself,
    // and a page of it that leads to an app gets that app's targets (addAppFormTargets).
    res.setHeader('content-security-policy', contentSecurityPolicy());
    if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    await handlerFor(runtime.provider)(request.raw, res);
  };

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const methods = ['GET', 'POST', 'OPTIONS', 'PUT', 'DELETE'] as const;
    scope.route({ method: [...methods], url: '/oidc/*', handler: forward });
    // oidc-provider takes authorization requests by POST only with cross-site (SameSite=None) session
    // cookies, which we do not give up; an app that posts gets told so rather than a bare "Not Found".
    scope.post(ROUTES.authorization, async (_request, reply) => {
      reply.header('allow', 'GET, OPTIONS');
      throw new HttpError(405, 'method_not_allowed', 'send the authorization request with GET (its parameters in the query string): this server does not take it by POST');
    });
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      scope.route({ method: ['GET', 'OPTIONS'], url, handler: forward });
    }
  });
}

// Decorate the root instance (the sign-in routes need app.oidc), as fastify-plugin would.
Object.assign(oidcRoutes, { [Symbol.for('skip-override')]: true });
