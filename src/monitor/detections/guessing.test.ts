import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectGuessing } from './guessing.ts';
import { defaults, fact } from '../../../test/monitor/detections/facts.ts';

const s = defaults();
const kinds = (rows: ReturnType<typeof fact>[]) => detectGuessing(rows, rows, s).map((f) => f.kind).sort();

test('ten wrong passwords on one account in a quarter of an hour are a brute force; nine, or spread over hours, are not', () => {
  const attack = Array.from({ length: 10 }, (_, i) => fact(i, { userId: 'u1', ip: '203.0.113.7', result: 'failure', reason: 'bad_password' }));
  const found = detectGuessing(attack, attack, s);
  assert.deepEqual(found.map((f) => f.kind), ['signin.brute_force']);
  assert.equal(found[0]!.subject, 'u1');
  assert.deepEqual(found[0]!.risk, { scope: 'signin', level: 'medium', userId: 'u1', ips: [] });
  assert.equal(found[0]!.evidence.failures, 10);
  assert.deepEqual(kinds(attack.slice(1)), []);
  const slow = Array.from({ length: 12 }, (_, i) => fact(i * 30, { userId: 'u2', ip: '203.0.113.7', result: 'failure', reason: 'bad_password' }));
  assert.deepEqual(kinds(slow), [], 'two tries an hour is someone who forgot their password');
});

test('one address trying a few passwords on each of many accounts is a spray; the same mistypes followed by sign-ins are not', () => {
  const spray = Array.from({ length: 10 }, (_, i) => fact(i, { username: `person${i}`, ip: '203.0.113.9', result: 'failure', reason: i % 2 ? 'bad_password' : 'unknown_user' }));
  const found = detectGuessing(spray, spray, s);
  assert.deepEqual(found.map((f) => f.kind), ['signin.password_spray']);
  assert.equal(found[0]!.subject, 'ip:203.0.113.9');
  assert.deepEqual(found[0]!.risk, { scope: 'signin', level: 'high', userId: null, ips: ['203.0.113.9'] });
  assert.deepEqual([found[0]!.evidence.accounts, found[0]!.evidence.unknownNames], [10, 10]);
  assert.ok(!JSON.stringify(found).includes('person'), 'names that match no account are counted, never shown: one may be a password');
  // An office behind one address: ten people mistype, then sign in.
  const office = spray.flatMap((r, i) => [r, fact(i + 0.5, { username: `person${i}`, ip: '203.0.113.9', result: 'success', reason: 'ok' })]);
  assert.deepEqual(kinds(office), []);
});

test('many accounts tried a few times each from many addresses is a spread-out spray', () => {
  const rows = Array.from({ length: 30 }, (_, i) => fact(i, { username: `p${i}`, ip: `198.51.100.${i % 12}`, result: 'failure', reason: 'bad_password' }));
  const found = detectGuessing(rows, rows, s);
  assert.deepEqual(found.map((f) => f.kind), ['signin.distributed_spray']);
  assert.equal(found[0]!.risk?.scope, 'signin');
  assert.equal((found[0]!.risk as { ips: string[] }).ips.length, 12);
  assert.deepEqual(kinds(rows.slice(0, 29)), [], 'below the number of accounts');
  const fewAddresses = rows.map((r, i) => ({ ...r, ip: `198.51.100.${i % 5}` }));
  assert.deepEqual(kinds(fewAddresses), [], 'from five addresses, each with six accounts: neither kind of spray');
});
