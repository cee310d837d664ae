import { namedLocationSchema, policyDocumentSchema, type NamedLocation, type PolicyDocument } from './document.ts';
import type { PolicyException, PolicySet } from './model.ts';
import { RecentlyUsed } from './recently-used.ts';

/**
 * Stored policy documents read back: the JSON text the store keeps, parsed
 * and schema-checked. Pure: the store-backed reading (store/policies.ts)
 * hands the rows over, and the benchmark runs the same code on the same text.
 *
 * Every audited change, of a policy or of anything else, makes a server read
 * all of them again (store/config-snapshot.ts), and schema-checking 200
 * documents was most of what the first decision after a change waited for,
 * and most of the garbage behind its slow tail. A document is a pure
 * function of its stored text, so each process keeps the documents it read
 * by their text: an unchanged row gives back the same document, a changed
 * row has another text and is checked afresh. What is kept is frozen to the
 * last array, so no caller can change what another one reads.
 */
// More than a deployment has (an import takes at most 1000 policies); a location may hold 10,000 ranges, so fewer of those.
export const KEPT_POLICIES = 1024;
export const KEPT_LOCATIONS = 256;
const policyTexts = new RecentlyUsed<string, PolicyDocument>(KEPT_POLICIES);
const locationTexts = new RecentlyUsed<string, NamedLocation>(KEPT_LOCATIONS);
/** The documents read here: frozen, so what is compiled from one stays true (compile.ts keeps it). */
const readOnly = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function settled<T extends object>(value: T): T {
  readOnly.add(deepFreeze(value));
  return value;
}

const checkPolicy = (text: string): PolicyDocument => settled(policyDocumentSchema.parse(JSON.parse(text)));
const checkLocation = (text: string): NamedLocation => settled(namedLocationSchema.parse(JSON.parse(text)));

/** A stored policy document, checked; read-only. */
export function readPolicyDocument(text: string): PolicyDocument {
  return policyTexts.get(text, checkPolicy);
}

/** A stored named location, checked; read-only. */
export function readNamedLocation(text: string): NamedLocation {
  return locationTexts.get(text, checkLocation);
}

/** Whether a document came from stored text here, and so can never change. */
export function isReadOnlyDocument(doc: object): boolean {
  return readOnly.has(doc);
}

/** The set evaluation takes, from the stored rows of policies and named locations. */
export function policySetFromRows(
  policyRows: readonly { id: string; document: string }[],
  locationRows: readonly { document: string }[],
  exceptions: readonly PolicyException[],
): PolicySet {
  // A whole read: a document no longer stored is let go after the next one.
  policyTexts.nextRound();
  locationTexts.nextRound();
  return {
    policies: policyRows.map((r) => ({ id: r.id, document: readPolicyDocument(r.document) })),
    namedLocations: locationRows.map((r) => readNamedLocation(r.document)),
    exceptions,
  };
}
