import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../config/secret-box.ts';
import { generatePass, normalizePass, passMatches, sealPass, TAP_ALPHABET } from './pass.ts';
import { stateOf } from './model.ts';

test('passes use only unambiguous characters, at the asked length, and differ', () => {
  for (const c of '01ilo') assert.ok(!TAP_ALPHABET.includes(c), c);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const p = generatePass(12);
    assert.match(p, /^[a-z2-9]{12}$/);
    seen.add(p);
  }
  assert.equal(seen.size, 200);
  assert.equal(generatePass(48).length, 48);
});

test('a pass is typed in any case, with or without spaces and dashes', () => {
  assert.equal(normalizePass(' ABCD-efgh jkmn '), 'abcdefghjkmn');
  assert.equal(normalizePass('short'), null);
  assert.equal(normalizePass('x'.repeat(49)), null);
});

test('only a keyed digest is kept, and it matches only its own pass', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = sealPass(box, 'abcdefghjkmn');
  assert.ok(!sealed.digest.includes('abcdefghjkmn') && !sealed.keySealed.includes('abcdefghjkmn'));
  assert.equal(passMatches(box, sealed, 'abcdefghjkmn'), true);
  assert.equal(passMatches(box, sealed, 'abcdefghjkmp'), false);
  assert.notEqual(sealPass(box, 'abcdefghjkmn').digest, sealed.digest, 'a fresh key per pass');
  assert.throws(() => passMatches(new SecretBox(randomBytes(32)), sealed, 'abcdefghjkmn'), 'another master key opens nothing');
});

test('a pass\'s state comes from its status and the clock', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const row = (status: 'active' | 'pending_approval' | 'used', starts: string, expires: string) => ({ status, starts_at: starts, expires_at: expires });
  assert.equal(stateOf(row('active', '2030-01-01T11:00:00.000Z', '2030-01-01T13:00:00.000Z'), now), 'active');
  assert.equal(stateOf(row('active', '2030-01-01T12:30:00.000Z', '2030-01-01T13:00:00.000Z'), now), 'not_yet_valid');
  assert.equal(stateOf(row('active', '2030-01-01T10:00:00.000Z', '2030-01-01T12:00:00.000Z'), now), 'expired');
  assert.equal(stateOf(row('pending_approval', '2030-01-01T11:00:00.000Z', '2030-01-01T13:00:00.000Z'), now), 'pending_approval');
  assert.equal(stateOf(row('used', '2030-01-01T11:00:00.000Z', '2030-01-01T13:00:00.000Z'), now), 'used');
});
