import { test } from 'node:test';
import assert from 'node:assert/strict';
import { URI } from 'otpauth';
import { codeAt, matchingSteps, otpauthUri, parseBase32Secret, stepAt, toBase32, totpSettings } from './otp.ts';
import { MethodError } from '../errors.ts';

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'ascii'));

// RFC 6238, appendix B: 8-digit codes, 30-second steps, one seed per hash.
const SEEDS = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
};
const RFC6238: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

test('RFC 6238 test vectors (SHA1, SHA256, SHA512, 8 digits)', () => {
  for (const [seconds, sha1, sha256, sha512] of RFC6238) {
    const now = new Date(seconds * 1000);
    for (const [algorithm, expected] of [['SHA1', sha1], ['SHA256', sha256], ['SHA512', sha512]] as const) {
      const s = totpSettings({ algorithm, digits: 8 });
      assert.equal(codeAt(SEEDS[algorithm], s, stepAt(s, now)), expected, `${algorithm} at ${seconds}`);
      assert.deepEqual(matchingSteps(SEEDS[algorithm], s, expected, now), [stepAt(s, now)]);
    }
  }
});

test('RFC 4226 test vectors (HOTP, appendix D)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  const s = totpSettings();
  expected.forEach((code, counter) => assert.equal(codeAt(SEEDS.SHA1, s, counter), code, `counter ${counter}`));
});

test('a code is accepted one step either side, no further', () => {
  const s = totpSettings({ period: 60 });
  const now = new Date('2030-06-01T12:00:30Z');
  const step = stepAt(s, now);
  for (const delta of [-1, 0, 1]) assert.deepEqual(matchingSteps(SEEDS.SHA1, s, codeAt(SEEDS.SHA1, s, step + delta), now), [step + delta]);
  for (const delta of [-2, 2]) assert.deepEqual(matchingSteps(SEEDS.SHA1, s, codeAt(SEEDS.SHA1, s, step + delta), now), []);
  assert.deepEqual(matchingSteps(SEEDS.SHA1, s, '12345', now), [], 'wrong length');
  assert.deepEqual(matchingSteps(SEEDS.SHA1, s, 'abcdef', now), [], 'not digits');
});

test('settings: defaults, and only what authenticators support', () => {
  assert.deepEqual(totpSettings(), { algorithm: 'SHA1', digits: 6, period: 30 });
  assert.throws(() => totpSettings({ digits: 7 }), (e: unknown) => e instanceof MethodError && /digits must be 6 or 8/.test(e.message));
  assert.throws(() => totpSettings({ period: 45 }), /period must be 30 or 60/);
  assert.throws(() => totpSettings({ algorithm: 'MD5' }), /algorithm must be/);
});

test('otpauth URI carries the settings an app needs', () => {
  const s = totpSettings({ digits: 8, period: 60, algorithm: 'SHA256' });
  const uri = otpauthUri(SEEDS.SHA256, s, 'id.example.com', 'alice');
  const parsed = URI.parse(uri);
  assert.equal(parsed.issuer, 'id.example.com');
  assert.equal(parsed.label, 'alice');
  assert.equal(parsed.algorithm, 'SHA256');
  assert.equal(parsed.digits, 8);
  assert.equal((parsed as { period?: number }).period, 60);
  assert.equal(parsed.secret.base32, toBase32(SEEDS.SHA256));
});

test('imported secrets: base32 leniently, long enough, never echoed', () => {
  const b32 = toBase32(SEEDS.SHA1);
  assert.deepEqual(parseBase32Secret(b32.toLowerCase().replace(/(.{4})/g, '$1 ') + '===='), SEEDS.SHA1);
  assert.throws(() => parseBase32Secret('JBSWY3DPEHPK3PXP'), /too short/);
  const bad = 'NOT-BASE32-SECRET-0189!';
  assert.throws(() => parseBase32Secret(bad), (e: unknown) => e instanceof MethodError && !e.message.includes('0189'));
});
