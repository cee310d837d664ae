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
  assert.equal(passwordProblem({ password: 'x'.repeat(10) + 'y'.repeat(54) }), null, '64 characters are allowed');
  assert.match(passwordProblem({ password: 'z'.repeat(300) })!, /at most/);
  // No composition rules: all lower-case words are fine.
  assert.equal(passwordProblem({ password: 'tangerine lighthouse' }), null);
});
