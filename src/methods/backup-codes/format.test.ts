import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_ALPHABET, codeDigest, displayCode, newCode, normalizeCode } from './format.ts';

test('codes: 10 characters of 32, shown in two groups', () => {
  assert.equal(CODE_ALPHABET.length, 32, 'five bits per character, so 50 bits per code');
  assert.equal(new Set(CODE_ALPHABET).size, 32);
  for (const look of 'ilou') assert.ok(!CODE_ALPHABET.includes(look), `no ${look}`);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const code = newCode();
    assert.match(code, /^[0-9a-hjkmnp-tv-z]{10}$/);
    seen.add(code);
  }
  assert.equal(seen.size, 200);
  assert.equal(displayCode('abcde12345'), 'abcde-12345');
});

test('typed codes are read leniently', () => {
  assert.equal(normalizeCode('ABCDE-12345'), 'abcde12345');
  assert.equal(normalizeCode(' abcde 12345 '), 'abcde12345');
  assert.equal(normalizeCode('OIL00-abcde'), '01100abcde', 'o, i and l read as 0, 1, 1');
  assert.equal(normalizeCode('abcde-1234'), null);
  assert.equal(normalizeCode('abcdu-12345'), null, 'u is not in the alphabet');
  assert.equal(normalizeCode('abcde-1234!'), null);
});

test('digests depend on the set key', () => {
  const a = codeDigest(Buffer.alloc(32, 1), 'abcde12345');
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, codeDigest(Buffer.alloc(32, 2), 'abcde12345'));
});
