import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACR, acrFor, acrSatisfies, amrFor, requiredAcr } from './acr.ts';

test('amr and acr follow the verified methods', () => {
  assert.deepEqual(amrFor(['password']), ['pwd']);
  assert.equal(acrFor(['password']), ACR.pwd);
  assert.deepEqual(amrFor(['password', 'totp']), ['mfa', 'otp', 'pwd']);
  assert.equal(acrFor(['password', 'totp']), ACR.mfa);
  assert.deepEqual(amrFor(['totp', 'backup_code']), ['otp'], 'two possession factors are not MFA');
  assert.equal(acrFor(['totp', 'backup_code']), ACR.pwd);
});

test('what a sign-in must reach', () => {
  assert.equal(requiredAcr({ isAdmin: false, hasSecondFactor: false }).acr, ACR.pwd);
  assert.deepEqual(requiredAcr({ isAdmin: false, hasSecondFactor: true }), { acr: ACR.mfa, reason: 'user_has_second_factor' });
  assert.deepEqual(requiredAcr({ isAdmin: true, hasSecondFactor: false }), { acr: ACR.mfa, reason: 'admin_requires_mfa' });
  assert.deepEqual(requiredAcr({ isAdmin: false, hasSecondFactor: false, requestedAcr: [ACR.mfa] }), { acr: ACR.mfa, reason: 'requested_by_app' });
  assert.equal(requiredAcr({ isAdmin: true, hasSecondFactor: true, requestedAcr: [ACR.pwd] }).acr, ACR.mfa, 'an app cannot lower the bar');
  assert.equal(requiredAcr({ isAdmin: false, hasSecondFactor: false, requestedAcr: ['urn:other'] }).acr, ACR.pwd, 'unknown values are ignored');
  assert.ok(acrSatisfies(ACR.mfa, ACR.pwd));
  assert.ok(!acrSatisfies(ACR.pwd, ACR.mfa));
  assert.ok(!acrSatisfies('urn:other', ACR.pwd));
});
