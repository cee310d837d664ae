import { builtinStrengths, type StrengthCatalog } from './strength-port.ts';

/**
 * The strength catalogue the running system evaluates with. Until the
 * strengths module answers for custom strengths too, the built-in standard
 * strengths apply; this is the one place to switch over.
 */
export function activeStrengths(): StrengthCatalog {
  return builtinStrengths;
}
