import type { FastifyRequest } from 'fastify';
import type { RequestFacts } from '../../../signin/steps/outcome.ts';

export function requestFacts(request: FastifyRequest): RequestFacts {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : null, requestId: request.id };
}

// C0 controls, DEL and C1 controls: browsers drop some of them (tab, CR, LF) while parsing a
// URL, which turns "/\t/evil.example" into "//evil.example", and Node refuses them in a header.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Only a page of Tessera itself may be a post-sign-in destination: no open
 * redirects. The value is resolved as a browser would resolve it against the
 * issuer, and kept only when it stays on the issuer's origin. What comes back is
 * the resolved path, query and fragment (percent-encoded, so it is always a
 * valid header value); anything else is dropped and the caller's default used.
 */
export function safeReturnTo(value: unknown, issuer: string): string | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  if (!value.startsWith('/') || CONTROL.test(value)) return null;
  const base = URL.parse(issuer);
  const url = URL.parse(value, base ?? undefined);
  if (!base || !url || url.origin !== base.origin || url.username || url.password) return null;
  const local = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser would read as another host.
  if (local.startsWith('//') || local.startsWith('/\\')) return null;
  return local;
}
