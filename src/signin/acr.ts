/**
 * The authentication context classes Tessera issues, weakest first. What a
 * sign-in must reach is decided by the access decision (src/policy/access);
 * these are only the names tokens carry. Pure: no I/O.
 */
export const ACR = {
  pwd: 'urn:tessera:acr:pwd',
  mfa: 'urn:tessera:acr:mfa',
  passwordless: 'urn:tessera:acr:passwordless-mfa',
  phishingResistant: 'urn:tessera:acr:phishing-resistant',
} as const;
export type Acr = (typeof ACR)[keyof typeof ACR];

const ORDER: readonly string[] = [ACR.pwd, ACR.mfa, ACR.passwordless, ACR.phishingResistant];

export function acrRank(acr: string): number {
  return ORDER.indexOf(acr);
}
