import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordProblem } from './policy.ts';

test('password rules follow NIST 800-63B', () => {
  assert.match(passwordProblem({ password: 'short' })!, /at least 8/);
  assert.match(passwordProblem({ password: 'correct horse', singleFactor: true })!, /at least 15/);
  assert.equal(passwordProblem({ password: 'correct horse battery' , singleFactor: true }), null);
  assert.match(passwordProblem({ password: 'password123' })!, /common or breached/);
  assert.match(passwordProblem({ password: 'Password123' })!, /common or breached/);
  assert.match(passwordProblem({ password: 'alice-is-great', username: 'alice' })!, /username/);
  assert.match(passwordProblem({ password: 'aaaaaaaaaaaa' })!, /repeated|common/);
  assert.equal(passwordProblem({ password: 'kd8#mQ2!xzR4tw7&pLs9vB3nYh6^cG1eFj5*aT0qW2uE8iO4yP7r' + 'Zx3Cv6Bn9Mk1' }), null, '64 characters are allowed');
  assert.match(passwordProblem({ password: 'z'.repeat(300) })!, /at most/);
  // No composition rules: all lower-case words are fine.
  assert.equal(passwordProblem({ password: 'tangerine lighthouse' }), null);
});

test('context-specific words are refused: the account\'s names, the product and the issuer host', () => {
  const who = { username: 'jdoe', email: 'john.doe@example.com', displayName: 'Johnathan Doe', issuer: 'https://id.acme-widgets.com' };
  const refused = (password: string, pattern: RegExp) => assert.match(passwordProblem({ ...who, password, singleFactor: true }) ?? 'accepted', pattern, password);
  refused('my name is jdoe and i like it', /username/);
  refused('J-D-O-E whistles at midnight', /username/);
  refused('johndoe walks the dog at night', /e-mail name/);
  refused('johnathan plays the trumpet loudly', /display name/);
  refused('J0hn4th4n plays the trumpet loudly', /display name/);
  refused('tessera is where i sign in daily', /name of this service/);
  refused('T3ss3ra is where i sign in daily', /name of this service/);
  refused('my acmewidgets login is secret', /name of this service or its address/);
  refused('my acme-widgets login is secret', /name of this service or its address/);
  // A short part of a display name sits inside many words: only the whole name counts then.
  assert.equal(passwordProblem({ displayName: 'Ann Lee', password: 'sleepy lighthouse keeper', singleFactor: true }), null);
  assert.match(passwordProblem({ displayName: 'Ann Lee', password: 'annlee keeps the lighthouse', singleFactor: true })!, /display name/);
  // The parts that name nothing in particular are not refused.
  assert.equal(passwordProblem({ ...who, password: 'violet tangerine lighthouse', singleFactor: true }), null);
  assert.equal(passwordProblem({ password: 'violet tangerine lighthouse', issuer: 'http://127.0.0.1:3000', singleFactor: true }), null);
});

test('obvious patterns are refused with the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['Password1234567!', /common word or password, with or without digits/],
    ['Sunshine2024!!!!', /common word/],
    ['P@ssw0rd12345678', /common word/],
    ['123456789012345', /sequence/],
    ['abcdefghijklmnopq', /sequence/],
    ['qwertyuiopasdfghjkl', /row of keys/],
    ['1qaz2wsx3edc4rfv', /row of keys|common/],
    ['iloveyouiloveyou', /repeat/],
    ['hunter2hunter2hunter2', /repeat/],
    ['dragondragondragon', /repeat/],
  ];
  for (const [password, reason] of cases) {
    assert.match(passwordProblem({ password, singleFactor: true }) ?? 'accepted', reason, password);
  }
  // Passphrases and random strings pass, however a strength meter would score them.
  for (const password of ['tangerine lighthouse orbit', 'marble harbour quietly sings', 'another fine passphrase', 'kd8#mQ2!xzR4', 'wrong password entirely']) {
    assert.equal(passwordProblem({ password }), null, password);
  }
});
