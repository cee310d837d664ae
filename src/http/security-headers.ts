import type { FastifyInstance } from 'fastify';
import { contentSecurityPolicy } from './csp.ts';

/**
 * Headers every response carries. Pages are served by us alone (no inline
 * scripts, no third-party origins) and are never framed, which stops clickjacking
 * of the sign-in and approval pages. Forms may lead to Tessera itself and, from
 * the sign-in pages (which end at an app), to the apps' registered redirect URIs.
 */
export function addSecurityHeaders(app: FastifyInstance, options: { https: boolean; appFormTargets: () => Promise<string[]> }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) {
      const page = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      const targets = page && request.url.startsWith('/signin') ? await options.appFormTargets().catch(() => []) : [];
      reply.header('content-security-policy', contentSecurityPolicy(targets));
    }
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('cache-control') && (request.url.startsWith('/api/') || request.url.startsWith('/signin'))) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
