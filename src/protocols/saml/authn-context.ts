import { ACR, acrRank } from '../../signin/acr.ts';

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

function acrForClassRef(classRef: string): string {
  return classRef === AC_PASSWORD_PROTECTED || classRef === AC_PASSWORD ? ACR.pwd : classRef === AC_REFEDS_MFA ? ACR.mfa : classRef;
}

/** The acr values a RequestedAuthnContext asks for (unknown classes are passed on: custom strengths use their acr). */
export function acrForClassRefs(classRefs: readonly string[]): string[] {
  return classRefs.map(acrForClassRef);
}

/**
 * The class to state when the SP asked for some: the first one asked for that
 * the sign-in meets (a phishing-resistant sign-in meets a request for the REFEDS
 * MFA profile, and an SP comparing exactly expects to read back what it asked
 * for); otherwise the class of what was reached.
 */
export function classRefFor(reachedAcr: string, requested: readonly string[]): string {
  const reached = acrRank(reachedAcr);
  const met = requested.find((c) => {
    const wanted = acrForClassRef(c);
    if (wanted === reachedAcr) return true;
    const rank = acrRank(wanted);
    return rank !== -1 && reached !== -1 && rank <= reached;
  });
  return met ?? classRefForAcr(reachedAcr);
}
