import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACR } from '../../signin/acr.ts';
import { AC_PASSWORD_PROTECTED, AC_REFEDS_MFA, acrForClassRefs, classRefFor } from './authn-context.ts';

test('the class stated for what the sign-in reached', () => {
  assert.equal(classRefFor(ACR.pwd, []), AC_PASSWORD_PROTECTED);
  assert.equal(classRefFor(ACR.mfa, []), AC_REFEDS_MFA);
  assert.equal(classRefFor(ACR.passwordless, []), AC_REFEDS_MFA);
  assert.equal(classRefFor(ACR.phishingResistant, []), ACR.phishingResistant, 'the acr OIDC issues for it');
  assert.equal(classRefFor('urn:example:custom-strength', []), 'urn:example:custom-strength');
});

test('a requested class the sign-in meets is stated as asked', () => {
  assert.equal(classRefFor(ACR.phishingResistant, [AC_REFEDS_MFA]), AC_REFEDS_MFA);
  assert.equal(classRefFor(ACR.mfa, [AC_PASSWORD_PROTECTED]), AC_PASSWORD_PROTECTED);
  assert.equal(classRefFor(ACR.mfa, [ACR.phishingResistant, AC_REFEDS_MFA]), AC_REFEDS_MFA, 'the first one met');
  assert.equal(classRefFor(ACR.pwd, [AC_REFEDS_MFA]), AC_PASSWORD_PROTECTED, 'never more than was reached');
  assert.equal(classRefFor('urn:example:custom-strength', ['urn:example:custom-strength']), 'urn:example:custom-strength');
  assert.equal(classRefFor('urn:example:custom-strength', [AC_REFEDS_MFA]), 'urn:example:custom-strength', 'a custom strength is not ranked against the built-in ones');
});

test('requested classes become the acr values the decision takes', () => {
  assert.deepEqual(acrForClassRefs([AC_PASSWORD_PROTECTED, 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password', AC_REFEDS_MFA, 'urn:x']), [ACR.pwd, ACR.pwd, ACR.mfa, 'urn:x']);
});
