import fc from 'fast-check';
import { hostileJson, withOwnKey } from './support.ts';

/**
 * JSON Schema → fast-check arbitrary, for the schema features the admin API's
 * OpenAPI document uses (it is generated from the zod schemas that validate the
 * requests): type (one or a list), const, enum, anyOf/oneOf, string length,
 * pattern and format (uuid, email, date-time, uri), number bounds, arrays with
 * item counts, objects with required and optional properties, records
 * (additionalProperties as a schema) and property names. Values are valid most
 * of the time, so requests get past the validator into the business logic;
 * `mutated` breaks one spot of a valid value to probe the validator's edges.
 */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
}

/** Past this depth only the simplest valid value is made, so recursive documents stay small. */
const MAX_DEPTH = 6;
/** Arrays are kept short: the business logic, not the size, is under test (the hostile values cover size). */
const MAX_ITEMS = 4;

/**
 * Values a schema cannot say are meaningful (an IP address, a user who exists), by property name:
 * offered beside the schema's own values, for the property or for each item of an array there.
 */
export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

export function validValue(schema: JsonSchema, hints: Hints = {}, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((s) => validValue(s, hints, depth + 1)));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => validValue({ ...schema, type }, hints, depth)));
  switch (schema.type) {
    case 'string': return stringValue(schema);
    case 'integer': return integerValue(schema);
    case 'number': return numberValue(schema);
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': return arrayValue(schema, hints, depth);
    case 'object': return objectValue(schema, hints, depth);
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

function hinted(schema: JsonSchema, hint: fc.Arbitrary<unknown> | undefined, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  const own = validValue(schema, hints, depth);
  const isString = (s: JsonSchema | undefined) => s?.type === 'string' || !!s?.anyOf?.some((a) => a.type === 'string');
  const many = schema.type === 'array' && isString(schema.items);
  if (!hint || (!many && !isString(schema))) return own;
  const asSchema = many ? arrayValue(schema, hints, depth, hint) : hint;
  return fc.oneof({ weight: 3, arbitrary: asSchema }, { weight: 1, arbitrary: own });
}

function stringValue(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Math.max(min, 40);
  const fits = (v: string) => v.length >= min && v.length <= max;
  let base: fc.Arbitrary<string>;
  if (s.format === 'uuid') base = fc.uuid({ version: 4 });
  else if (s.format === 'date-time') base = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  else if (s.format === 'uri') base = fc.webUrl();
  else if (s.pattern) base = fc.stringMatching(new RegExp(s.pattern, 'u'), { maxLength: max });
  else if (s.format === 'email') base = fc.emailAddress();
  else return fc.string({ minLength: min, maxLength: Math.min(max, min + 40) });
  return base.filter(fits);
}

function integerValue(s: JsonSchema): fc.Arbitrary<number> {
  const min = BigInt(Math.max(s.minimum ?? (s.exclusiveMinimum ?? -1e6 - 1) + 1, Number.MIN_SAFE_INTEGER));
  const max = BigInt(Math.min(s.maximum ?? (s.exclusiveMaximum ?? 1e6 + 1) - 1, Number.MAX_SAFE_INTEGER));
  // Everyday values are the common case of a real request; the edges are where bugs live.
  const low = min > 0n ? min : 0n < max ? 0n : min;
  const everyday = fc.bigInt({ min: low, max: low + 500n < max ? low + 500n : max });
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(min, max) }, { weight: 4, arbitrary: everyday }, { weight: 1, arbitrary: fc.bigInt({ min, max }) }).map(Number);
}

function numberValue(s: JsonSchema): fc.Arbitrary<number> {
  const min = s.minimum ?? s.exclusiveMinimum ?? -1e6;
  const max = s.maximum ?? s.exclusiveMaximum ?? 1e6;
  const inside = (v: number) => (s.exclusiveMinimum === undefined || v > s.exclusiveMinimum) && (s.exclusiveMaximum === undefined || v < s.exclusiveMaximum);
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).filter(inside);
}

function arrayValue(s: JsonSchema, hints: Hints, depth: number, item?: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  const minLength = s.minItems ?? 0;
  const maxLength = Math.min(s.maxItems ?? MAX_ITEMS, minLength + MAX_ITEMS);
  if (depth >= MAX_DEPTH && minLength === 0) return fc.constant([]);
  return fc.array(item ?? (s.items ? validValue(s.items, hints, depth + 1) : fc.jsonValue({ maxDepth: 1 })), { minLength, maxLength });
}

function objectValue(s: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const required = s.required ?? [];
  const names = depth >= MAX_DEPTH ? required : Object.keys(props);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) model[name] = hinted(props[name] ?? {}, hints[name], hints, depth + 1);
  const fixed = fc.record(model, { requiredKeys: required.filter((k) => names.includes(k)) });
  const extra = s.additionalProperties;
  if (typeof extra !== 'object' || depth >= MAX_DEPTH) return fixed;
  const keys = s.propertyNames ? (validValue(s.propertyNames, hints, depth + 1) as fc.Arbitrary<string>) : fc.string({ minLength: 1, maxLength: 12 });
  const more = fc.dictionary(keys, validValue(extra, hints, depth + 1), { maxKeys: 3 });
  return fc.tuple(fixed, more).map(([a, b]) => ({ ...b, ...a }));
}

/** Every path to a spot in a JSON value: [] is the value itself. */
function spots(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => spots(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) spots(v, [...at, k], out);
  return out;
}

type Mutation = 'replace' | 'remove' | 'extra';

/** A copy of `value` with one spot broken: replaced by a hostile value, removed, or given an unknown (maybe prototype) key. */
export function mutate(value: unknown, pick: number, how: Mutation, hostile: unknown, extraKey: string): unknown {
  const copy = structuredClone(value);
  const all = spots(copy);
  const path = all[pick % all.length]!;
  if (!path.length) return how === 'extra' && copy && typeof copy === 'object' ? withOwnKey(copy, extraKey, hostile) : hostile;
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (how === 'remove') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (how === 'extra' && parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) {
    withOwnKey(parent[key] as object, extraKey, hostile);
  } else {
    parent[key] = hostile;
  }
  return copy;
}

const extraKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknownField', 'id', 'createdAt', 'role', '');

/** A valid value with one spot broken. */
export function mutatedValue(schema: JsonSchema, hints: Hints = {}): fc.Arbitrary<unknown> {
  return fc
    .tuple(validValue(schema, hints), fc.nat(), fc.constantFrom<Mutation>('replace', 'remove', 'extra'), hostileJson, extraKeys)
    .map(([v, pick, how, hostile, key]) => mutate(v, pick, how, hostile, key));
}

/** Mostly valid (about three in four), else mutated. */
export function requestValue(schema: JsonSchema, hints: Hints = {}): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: validValue(schema, hints) }, { weight: 1, arbitrary: mutatedValue(schema, hints) });
}
