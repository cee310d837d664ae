import type { FastifyInstance } from 'fastify';
import { contentSecurityPolicy } from './csp.ts';

/**
 * Headers every response carries. Pages are served by us alone (no inline
 * scripts, no third-party origins) and are never framed, which stops clickjacking
 * of the sign-in and approval pages. Forms lead to Tessera itself; a page whose
 * forms end at an app (a sign-in step) sets its own policy naming that app.
 */
export function addSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', contentSecurityPolicy());
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!reply.hasHeader('cache-control') && (request.url.startsWith('/api/') || request.url.startsWith('/signin'))) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
