import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from './errors.ts';

/**
 * Text with U+0000 (NUL) in it is refused before a route sees it. PostgreSQL's
 * text and jsonb cannot hold NUL, so such a value reached the store as a
 * database error (a 500) on PostgreSQL while SQLite kept it; no name, code,
 * password or setting has a use for it. Refusing it at the edge gives one
 * clear 400 on both engines. A raw JSON body (the push protocol keeps its
 * bytes for the signature) is checked as the JSON it holds, where NUL is
 * written \u0000.
 */
const MAX_DEPTH = 64;

export function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  for (const [k, v] of Object.entries(value)) if (k.includes('\0') || holdsNul(v, depth + 1)) return true;
  return false;
}

function rawJsonHoldsNul(request: FastifyRequest): boolean {
  if (typeof request.body !== 'string' || !request.body.includes('\\u0000')) return false;
  try {
    return holdsNul(JSON.parse(request.body));
  } catch {
    return false; // not JSON: the route answers that
  }
}

/** Adds the check to every route of `app` and of what it registers afterwards (server.ts: the pages and JSON APIs). */
export function refuseNulText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (holdsNul(request.query) || holdsNul(request.params) || holdsNul(request.body) || rawJsonHoldsNul(request)) {
      throw badRequest('text must not contain the NUL character (U+0000)');
    }
  });
}
