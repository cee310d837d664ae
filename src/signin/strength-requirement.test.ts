import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from './strength-requirement.ts';
import { builtinStrength, customStrength } from '../policy/strengths.ts';

const VERIFIABLE = ['webauthn', 'push', 'totp', 'sms', 'voice', 'backup_code'];
const mfa = builtinStrength('mfa');
const passwordless = builtinStrength('passwordless_mfa');
const phishing = builtinStrength('phishing_resistant_mfa');
const hardware = customStrength({ name: 'hardware-key', combinations: ['password+webauthn_device_bound', 'tap+webauthn_device_bound'] });

test('after a Temporary Access Pass only registration is offered, for every strength policy can demand', () => {
  const lostKey = { secondFactors: ['webauthn'] };
  const tap = [{ method: 'tap' }];
  for (const unmet of [[phishing], [passwordless], [hardware], [mfa, phishing]]) {
    assert.equal(nextStep(unmet, tap, lostKey, VERIFIABLE), 'register_webauthn', `${unmet.map((s) => s.id)}: the lost key is not asked for`);
  }
  assert.equal(nextStep([mfa], tap, { secondFactors: ['totp'] }, VERIFIABLE), 'register_totp', 'MFA: a new authenticator app');
  const registered = [{ method: 'tap' }, { method: 'webauthn', userVerified: false }];
  assert.equal(nextStep([phishing], registered, lostKey, VERIFIABLE), null, 'no second registration loop');
});

test('without a pass, a registered method that helps comes first; registration only once MFA is proven', () => {
  assert.equal(nextStep([phishing], [{ method: 'password' }], { secondFactors: ['webauthn', 'totp'] }, VERIFIABLE), 'webauthn');
  assert.equal(nextStep([phishing], [{ method: 'password' }], { secondFactors: ['totp'] }, VERIFIABLE), 'totp');
  assert.equal(nextStep([phishing], [{ method: 'password' }, { method: 'totp' }], { secondFactors: ['totp'] }, VERIFIABLE), 'register_webauthn');
  assert.equal(nextStep([mfa], [{ method: 'password' }], { secondFactors: [] }, VERIFIABLE), 'register_totp');
});
