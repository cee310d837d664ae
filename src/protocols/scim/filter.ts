import { parse, type Filter } from 'scim2-parse-filter';
import { ScimError } from './errors.ts';

/**
 * SCIM filters (RFC 7644 §3.4.2.2). The package parses the expression; the
 * matching is ours because SCIM compares the attributes Tessera publishes
 * case-insensitively (caseExact false), names attributes case-insensitively and
 * compares a complex multi-valued attribute by its "value" sub-attribute.
 */
export type { Filter };
type Json = unknown;

export function parseFilter(text: string): Filter {
  try {
    return parse(text);
  } catch (err) {
    throw new ScimError(400, `the filter cannot be read: ${(err as Error).message}`, 'invalidFilter');
  }
}

/** "urn:…:User:manager.value" → ["urn:…:User", "manager", "value"]; "name.givenName" → ["name", "givenName"]. */
export function splitAttrPath(path: string): string[] {
  if (/^urn:/i.test(path)) {
    const at = path.lastIndexOf(':');
    return [path.slice(0, at), ...path.slice(at + 1).split('.')];
  }
  return path.split('.');
}

/** The key of `obj` that names `name`, ignoring case. */
export function keyOf(obj: Record<string, Json>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every value the path reaches in `r` (arrays are entered, so any element may match). */
function reach(r: Json, path: string[]): Json[] {
  if (Array.isArray(r)) return r.flatMap((e) => reach(e, path));
  if (path.length === 0) return r === undefined || r === null ? [] : [r];
  if (!isObject(r)) return [];
  const key = keyOf(r, path[0]!);
  return key === undefined ? [] : reach(r[key], path.slice(1));
}

type Scalar = string | number | boolean | null;

function compare(op: string, actual: Json, expected: Scalar): boolean {
  // A complex value ({ value, type, … }) compares by its value.
  const a = isObject(actual) ? actual['value'] : actual;
  if (typeof a === 'string' && typeof expected === 'string') {
    const x = a.toLowerCase();
    const y = expected.toLowerCase();
    switch (op) {
      case 'eq': return x === y;
      case 'ne': return x !== y;
      case 'co': return x.includes(y);
      case 'sw': return x.startsWith(y);
      case 'ew': return x.endsWith(y);
      case 'gt': return x > y;
      case 'ge': return x >= y;
      case 'lt': return x < y;
      case 'le': return x <= y;
    }
  }
  if (op === 'eq') return a === expected;
  if (op === 'ne') return a !== expected;
  if (typeof a === 'number' && typeof expected === 'number') {
    if (op === 'gt') return a > expected;
    if (op === 'ge') return a >= expected;
    if (op === 'lt') return a < expected;
    if (op === 'le') return a <= expected;
  }
  if (['co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'].includes(op)) {
    throw new ScimError(400, `the operator ${op} compares strings (and gt/ge/lt/le numbers too), not ${JSON.stringify(expected)}`, 'invalidFilter');
  }
  return false;
}

export function matches(filter: Filter, resource: Json): boolean {
  switch (filter.op) {
    case 'and': return filter.filters.every((f) => matches(f, resource));
    case 'or': return filter.filters.some((f) => matches(f, resource));
    case 'not': return !matches(filter.filter, resource);
    case 'pr': return reach(resource, splitAttrPath(filter.attrPath)).some((v) => v !== '' && !(Array.isArray(v) && v.length === 0));
    case '[]': {
      const elements = reach(resource, splitAttrPath(filter.attrPath));
      return elements.some((e) => matches(filter.valFilter, e));
    }
    case 'ne': {
      const values = reach(resource, splitAttrPath(filter.attrPath));
      return values.every((v) => compare('ne', v, filter.compValue));
    }
    default: {
      const values = reach(resource, splitAttrPath(filter.attrPath));
      return values.some((v) => compare(filter.op, v, filter.compValue));
    }
  }
}
