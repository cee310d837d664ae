import { test } from 'node:test';
import assert from 'node:assert/strict';
import { amrFor, describeMethod, isMethodType, METHOD_TYPES, METHODS } from './method.ts';

test('every method describes itself', () => {
  for (const type of METHOD_TYPES) assert.equal(METHODS[type].type, type);
  assert.equal(describeMethod('webauthn').phishingResistant, true);
  assert.equal(METHOD_TYPES.filter((t) => METHODS[t].phishingResistant).join(), 'webauthn');
  assert.deepEqual(METHOD_TYPES.filter((t) => METHODS[t].restricted), ['sms', 'voice']);
  assert.equal(METHODS.password.factor, 'knowledge');
  assert.ok(Object.isFrozen(METHODS.totp));
  assert.equal(isMethodType('totp'), true);
  assert.equal(isMethodType('carrier-pigeon'), false);
});

test('amr lists the methods used and adds mfa for two kinds of factor', () => {
  assert.deepEqual(amrFor(['password']), ['pwd']);
  assert.deepEqual(amrFor(['password', 'totp']), ['mfa', 'otp', 'pwd']);
  assert.deepEqual(amrFor(['totp', 'backup_code']), ['otp'], 'two possession factors are not multi-factor');
  assert.deepEqual(amrFor(['password', 'webauthn']), ['hwk', 'mfa', 'pop', 'pwd']);
});
