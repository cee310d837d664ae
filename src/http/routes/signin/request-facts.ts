import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from '../../../signin/steps/outcome.ts';

export function requestFacts(request: FastifyRequest): RequestFacts {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : null, requestId: request.id };
}

/** Only a local path may be a post-sign-in destination: no open redirects. */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  return value;
}
