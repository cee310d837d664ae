import { namedLocationSchema, policyDocumentSchema, type NamedLocation, type PolicyDocument } from './document.ts';
import type { PolicyException, PolicySet } from './model.ts';

/**
 * Stored policy documents read back: the JSON text the store keeps, parsed
 * and schema-checked. Pure: the store-backed reading (store/policies.ts)
 * hands the rows over, and the benchmark runs the same code on the same text.
 */
export function readPolicyDocument(text: string): PolicyDocument {
  return policyDocumentSchema.parse(JSON.parse(text));
}

export function readNamedLocation(text: string): NamedLocation {
  return namedLocationSchema.parse(JSON.parse(text));
}

/** The set evaluation takes, from the stored rows of policies and named locations. */
export function policySetFromRows(
  policyRows: readonly { id: string; document: string }[],
  locationRows: readonly { document: string }[],
  exceptions: readonly PolicyException[],
): PolicySet {
  return {
    policies: policyRows.map((r) => ({ id: r.id, document: readPolicyDocument(r.document) })),
    namedLocations: locationRows.map((r) => readNamedLocation(r.document)),
    exceptions,
  };
}
