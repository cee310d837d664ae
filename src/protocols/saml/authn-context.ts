import { ACR } from '../../signin/acr.ts';

/**
 * SAML authentication context classes ↔ the acr values the access decision
 * speaks. A password alone is PasswordProtectedTransport; MFA is the REFEDS MFA
 * profile; phishing-resistant MFA and custom strengths carry the same acr the
 * OIDC side issues. Pure.
 */
export const AC_PASSWORD_PROTECTED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const AC_PASSWORD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password';
export const AC_REFEDS_MFA = 'https://refeds.org/profile/mfa';

/** The class an assertion states for what the sign-in reached. */
export function classRefForAcr(acr: string): string {
  if (acr === ACR.pwd) return AC_PASSWORD_PROTECTED;
  if (acr === ACR.mfa || acr === ACR.passwordless) return AC_REFEDS_MFA;
  return acr;
}

/** The acr values a RequestedAuthnContext asks for (unknown classes are passed on: custom strengths use their acr). */
export function acrForClassRefs(classRefs: readonly string[]): string[] {
  return classRefs.map((c) => (c === AC_PASSWORD_PROTECTED || c === AC_PASSWORD ? ACR.pwd : c === AC_REFEDS_MFA ? ACR.mfa : c));
}
