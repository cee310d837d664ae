import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  combinationWarnings, customStrength, parseCombination, reachedStrength, satisfiedStrengths, strengthCatalog, strengthForAcr,
  StrengthError, type MethodUse,
} from './strengths.ts';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const securityKey: MethodUse = { method: 'webauthn', userVerified: false, backupEligible: false, backedUp: false, aaguid: YUBIKEY };
const syncedPasskey: MethodUse = { method: 'webauthn', userVerified: true, backupEligible: true, backedUp: true, aaguid: 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4' };
const boundPasskey: MethodUse = { method: 'webauthn', userVerified: true, backupEligible: false, backedUp: false, aaguid: YUBIKEY };
const m = (...names: string[]): MethodUse[] => names.map((method) => ({ method }));

test('built-in strengths follow the methods and their properties', () => {
  assert.deepEqual(satisfiedStrengths(m('password')), []);
  assert.deepEqual(satisfiedStrengths(m('password', 'totp')), ['mfa']);
  assert.deepEqual(satisfiedStrengths(m('password', 'backup_code')), ['mfa']);
  assert.deepEqual(satisfiedStrengths(m('totp', 'backup_code')), [], 'two possession factors are not MFA');
  assert.deepEqual(satisfiedStrengths(m('tap')), ['mfa'], 'a Temporary Access Pass counts as MFA');
  assert.deepEqual(satisfiedStrengths([{ method: 'password' }, securityKey]), ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa']);
  assert.deepEqual(satisfiedStrengths([securityKey]), [], 'a security key without user verification is one factor');
  assert.deepEqual(satisfiedStrengths([syncedPasskey]), ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa']);
  assert.deepEqual(satisfiedStrengths(m('webauthn')), [], 'a bare name carries no user verification');
  assert.deepEqual(satisfiedStrengths([{ method: 'totp' }, securityKey]), [], 'two possession factors, even with a key');
  assert.deepEqual(satisfiedStrengths([...m('password', 'totp'), securityKey]), ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa']);
});

test('the acr reached: strongest built-in, or the custom strength the app asked for', () => {
  assert.deepEqual(reachedStrength(m('password')), { strength: null, acr: 'urn:tessera:acr:pwd' });
  assert.deepEqual(reachedStrength(m('password', 'totp')), { strength: 'mfa', acr: 'urn:tessera:acr:mfa' });
  assert.deepEqual(reachedStrength([syncedPasskey]), { strength: 'phishing_resistant_mfa', acr: 'urn:tessera:acr:phishing-resistant' });
  const hw = customStrength({ name: 'hardware-key', combinations: ['password+webauthn_device_bound', 'webauthn_device_bound+passkey'] });
  assert.equal(hw.acr, 'urn:tessera:acr:custom:hardware-key');
  assert.deepEqual(reachedStrength([{ method: 'password' }, securityKey], hw), { strength: 'hardware-key', acr: hw.acr });
  assert.deepEqual(
    reachedStrength([{ method: 'password' }, { ...securityKey, backupEligible: true }], hw),
    { strength: 'phishing_resistant_mfa', acr: 'urn:tessera:acr:phishing-resistant' },
    'a synced credential is not device-bound: the custom strength is not reached',
  );
  assert.equal(strengthForAcr('urn:tessera:acr:custom:hardware-key', [hw]), hw);
  assert.equal(strengthForAcr('urn:tessera:acr:phishing-resistant')?.id, 'phishing_resistant_mfa');
  assert.equal(strengthForAcr('urn:other'), undefined);
});

test('custom strengths: one atom per distinct method, AAGUID allow-lists, validation', () => {
  const yubikeys = customStrength({ name: 'yubikey', combinations: ['password + webauthn', 'passkey'], allowedAaguids: [YUBIKEY.toUpperCase()] });
  assert.deepEqual(yubikeys.allowedAaguids, [YUBIKEY]);
  const sat = (uses: MethodUse[]) => satisfiedStrengths(uses, [yubikeys]).includes('yubikey');
  assert.ok(sat([{ method: 'password' }, securityKey]));
  assert.ok(sat([boundPasskey]));
  assert.ok(!sat([syncedPasskey]), 'another authenticator model is not on the list');
  const twoKeys = customStrength({ name: 'two-keys', combinations: ['webauthn+webauthn'] });
  assert.ok(!satisfiedStrengths([securityKey], [twoKeys]).includes('two-keys'), 'one use cannot fill two atoms');
  assert.ok(satisfiedStrengths([securityKey, boundPasskey], [twoKeys]).includes('two-keys'));
  assert.deepEqual(parseCombination(' Password+TOTP '), ['password', 'totp']);
  assert.throws(() => parseCombination('password+fingerprint'), StrengthError);
  assert.throws(() => parseCombination('password+'), /empty/);
  assert.throws(() => customStrength({ name: 'mfa', combinations: ['password+totp'] }), /built-in/);
  assert.throws(() => customStrength({ name: 'X y', combinations: ['password+totp'] }), /name must be/);
  assert.throws(() => customStrength({ name: 'none', combinations: [] }), /at least one/);
  assert.throws(() => customStrength({ name: 'bad', combinations: ['passkey'], allowedAaguids: ['nope'] }), /not an AAGUID/);
  assert.throws(() => customStrength({ name: 'bad', combinations: ['password+totp'], allowedAaguids: [YUBIKEY] }), /need a combination with webauthn/);
  assert.deepEqual(combinationWarnings(customStrength({ name: 'weak', combinations: ['totp+sms', 'passkey'] })), ['totp+sms is a single kind of factor, not MFA']);
});

test('the catalogue conditional access evaluates against', () => {
  const hw = customStrength({ name: 'hardware-key', combinations: ['password+webauthn_device_bound'] });
  const catalog = strengthCatalog([hw]);
  assert.ok(catalog.has('mfa') && catalog.has('phishing_resistant_mfa') && catalog.has('hardware-key'));
  assert.ok(!catalog.has('nonsense'));
  assert.deepEqual([...catalog.satisfiedBy(['password', 'totp'])], ['mfa']);
  assert.deepEqual([...catalog.satisfiedBy([{ method: 'password' }, securityKey])], ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa', 'hardware-key']);
});
