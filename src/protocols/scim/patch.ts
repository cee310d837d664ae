import { z } from 'zod';
import { ScimError } from './errors.ts';
import { keyOf, matches, parseFilter, type Filter } from './filter.ts';
import { PATCH_SCHEMA } from './schemas.ts';

/**
 * PATCH (RFC 7644 §3.5.2) applied to a resource's SCIM representation: the
 * result is then stored as a replacement would be, so a PATCH and a PUT of the
 * same outcome change the same things and write the same audit entries.
 */
type Json = unknown;
type Obj = Record<string, Json>;

const patchSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(PATCH_SCHEMA), `schemas must hold ${PATCH_SCHEMA}`),
  // Some clients write the op capitalised ("Add", "Replace"); RFC 7644 names are lower case.
  Operations: z
    .array(z.object({ op: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['add', 'remove', 'replace'])), path: z.string().min(1).optional(), value: z.unknown().optional() }))
    .min(1),
});
export type PatchRequest = z.infer<typeof patchSchema>;

export function parsePatch(body: unknown): PatchRequest {
  const r = patchSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ScimError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalidSyntax');
  }
  return r.data;
}

interface Path {
  attr: string;
  filter?: Filter;
  sub?: string;
}

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `schemaUrns`: the schemas whose URN may prefix a path ("urn:…:User:userName", "urn:…:enterprise:2.0:User:department"). */
function parsePath(path: string, schemaUrns: readonly string[]): Path {
  let rest = path;
  for (const urn of schemaUrns) {
    if (rest.toLowerCase() === urn.toLowerCase()) return { attr: urn };
    if (rest.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) {
      const inner = parsePath(rest.slice(urn.length + 1), []);
      // An extension's attributes live in an object named by its URN.
      return urn.includes(':extension:') ? { attr: urn, sub: inner.attr, ...(inner.sub ? { sub: `${inner.attr}.${inner.sub}` } : {}) } : inner;
    }
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) throw new ScimError(400, `the path ${path} is not an attribute path`, 'invalidPath');
  rest = m[1]!;
  return { attr: rest, ...(m[2] ? { filter: parseFilter(m[2]) } : {}), ...(m[3] ? { sub: m[3] } : {}) };
}

function get(obj: Obj, name: string): Json {
  const k = keyOf(obj, name);
  return k === undefined ? undefined : obj[k];
}
function set(obj: Obj, name: string, value: Json): void {
  obj[keyOf(obj, name) ?? name] = value;
}
function unset(obj: Obj, name: string): void {
  const k = keyOf(obj, name);
  if (k !== undefined) delete obj[k];
}

/** The key multi-valued elements are told apart by: "value" where they have one. */
const sameElement = (a: Json, b: Json) => (isObj(a) && isObj(b) && 'value' in a && 'value' in b ? String(a['value']) === String(b['value']) : JSON.stringify(a) === JSON.stringify(b));

function merge(target: Obj, value: Json, replace: boolean): void {
  if (!isObj(value)) throw new ScimError(400, 'an operation without a path takes an object of attributes as its value', 'invalidValue');
  for (const [name, v] of Object.entries(value)) {
    const current = get(target, name);
    if (!replace && Array.isArray(current) && Array.isArray(v)) set(target, name, [...current, ...v.filter((e) => !current.some((c) => sameElement(c, e)))]);
    else if (isObj(current) && isObj(v)) merge(current, v, replace);
    else set(target, name, v);
  }
}

function setSub(element: Obj, sub: string, value: Json): void {
  const [head, ...tail] = sub.split('.');
  if (tail.length === 0) return set(element, head!, value);
  const child = get(element, head!);
  const next = isObj(child) ? child : {};
  set(element, head!, next);
  setSub(next, tail.join('.'), value);
}
function unsetSub(element: Obj, sub: string): void {
  const [head, ...tail] = sub.split('.');
  if (tail.length === 0) return unset(element, head!);
  const child = get(element, head!);
  if (isObj(child)) unsetSub(child, tail.join('.'));
}

/** A readOnly attribute (RFC 7643 §7) cannot be the target of an operation (RFC 7644 §3.5.2: 400 mutability). */
function refuseReadOnly(name: string, readOnly: readonly string[]): void {
  const hit = readOnly.find((r) => r.toLowerCase() === name.toLowerCase());
  if (hit) throw new ScimError(400, `${hit} is read-only and cannot be changed`, 'mutability');
}

function applyOne(resource: Obj, op: PatchRequest['Operations'][number], urns: readonly string[], readOnly: readonly string[]): void {
  if (!op.path) {
    if (op.op === 'remove') throw new ScimError(400, 'remove needs a path', 'noTarget');
    // Without a path, a readOnly attribute may be sent back as it is (some clients echo id), never changed.
    if (isObj(op.value)) {
      for (const [name, v] of Object.entries(op.value)) if (JSON.stringify(get(resource, name)) !== JSON.stringify(v)) refuseReadOnly(name, readOnly);
    }
    return merge(resource, op.value, op.op === 'replace');
  }
  const path = parsePath(op.path, urns);
  refuseReadOnly(path.attr, readOnly);
  const current = get(resource, path.attr);
  if (path.filter) {
    const list = Array.isArray(current) ? current : [];
    const hits = list.filter((e) => matches(path.filter!, e));
    if (hits.length === 0 && op.op !== 'add') throw new ScimError(400, `no value of ${path.attr} matches ${op.path}`, 'noTarget');
    if (op.op === 'remove' && !path.sub) return set(resource, path.attr, list.filter((e) => !hits.includes(e)));
    for (const hit of hits) {
      if (!isObj(hit)) continue;
      if (op.op === 'remove') unsetSub(hit, path.sub!);
      else if (path.sub) setSub(hit, path.sub, op.value);
      else merge(hit, op.value, true);
    }
    return;
  }
  if (path.sub) {
    const parent = isObj(current) ? current : {};
    if (op.op === 'remove') unsetSub(parent, path.sub);
    else setSub(parent, path.sub, op.value);
    return set(resource, path.attr, parent);
  }
  if (op.op === 'remove') {
    // Remove with a value list (as some clients send for members): only those elements go.
    if (Array.isArray(current) && Array.isArray(op.value)) {
      const gone = op.value;
      return set(resource, path.attr, current.filter((c) => !gone.some((g) => sameElement(c, g))));
    }
    return unset(resource, path.attr);
  }
  if (op.op === 'add' && Array.isArray(current)) {
    const add = Array.isArray(op.value) ? op.value : [op.value];
    return set(resource, path.attr, [...current, ...add.filter((e) => !current.some((c) => sameElement(c, e)))]);
  }
  if (op.op === 'add' && isObj(current) && isObj(op.value)) return merge(current, op.value, false);
  set(resource, path.attr, op.value);
}

/** Applies every operation in order to a copy of `resource`; all or nothing. `readOnly`: the resource's readOnly attributes. */
export function applyPatch(resource: Obj, request: PatchRequest, urns: readonly string[], readOnly: readonly string[] = ['id', 'meta']): Obj {
  const copy = structuredClone(resource);
  for (const op of request.Operations) applyOne(copy, op, urns, readOnly);
  return copy;
}
