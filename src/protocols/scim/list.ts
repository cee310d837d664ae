import { z } from 'zod';
import { ScimError } from './errors.ts';
import { matches, parseFilter } from './filter.ts';
import { LIST_SCHEMA, MAX_RESULTS, USER_SCHEMA, GROUP_SCHEMA } from './schemas.ts';

/**
 * Query parameters of a list (RFC 7644 §3.4.2): filter, 1-based startIndex and
 * count, attributes / excludedAttributes. The directory of a 200–500 person
 * organisation fits in memory, so a list filters the SCIM representations
 * themselves: every published attribute filters the same way it reads.
 */
const num = (fallback: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').catch(fallback);
const querySchema = z.object({
  filter: z.string().max(4096).optional(),
  startIndex: num(1),
  count: num(MAX_RESULTS),
  attributes: z.string().max(1024).optional(),
  excludedAttributes: z.string().max(1024).optional(),
});
export type ListQuery = z.infer<typeof querySchema>;

export function readListQuery(query: unknown): ListQuery {
  const r = querySchema.safeParse(query ?? {});
  if (!r.success) throw new ScimError(400, `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`, 'invalidValue');
  return r.data;
}

const ALWAYS = ['id', 'schemas', 'meta'];
const names = (list: string | undefined) =>
  (list ?? '')
    .split(',')
    .map((n) => n.trim().replace(new RegExp(`^(${USER_SCHEMA}|${GROUP_SCHEMA}):`, 'i'), '').split('.')[0]!.toLowerCase())
    .filter(Boolean);

/** Keeps the top-level attributes asked for (id, schemas and meta always), or drops those excluded. */
export function project(resource: Record<string, unknown>, query: Pick<ListQuery, 'attributes' | 'excludedAttributes'>): Record<string, unknown> {
  const only = names(query.attributes);
  const without = names(query.excludedAttributes);
  if (!only.length && !without.length) return resource;
  return Object.fromEntries(
    Object.entries(resource).filter(([k]) => {
      const key = k.toLowerCase();
      if (ALWAYS.includes(k)) return true;
      return only.length ? only.includes(key) : !without.includes(key);
    }),
  );
}

export function listResponse(all: Array<Record<string, unknown>>, query: ListQuery) {
  const filter = query.filter === undefined ? null : parseFilter(query.filter);
  const found = filter ? all.filter((r) => matches(filter, r)) : all;
  // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1, a negative count as 0.
  const start = Math.max(1, query.startIndex);
  const count = Math.min(MAX_RESULTS, Math.max(0, query.count));
  const page = found.slice(start - 1, start - 1 + count).map((r) => project(r, query));
  return { schemas: [LIST_SCHEMA], totalResults: found.length, startIndex: start, itemsPerPage: page.length, Resources: page };
}
