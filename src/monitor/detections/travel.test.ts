import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coordinatesOf } from '../../policy/geo/coordinates.ts';
import { detectTravel } from './travel.ts';
import { defaults, fact } from '../../../test/monitor/detections/facts.ts';

const s = defaults();
const LONDON = '81.2.69.142';
const KANSAS = '8.8.8.8';
const GERMANY = '5.9.0.1';
const ok = (minutes: number, ip: string) => fact(minutes, { userId: 'u1', username: 'ann', ip, result: 'success', reason: 'ok' });
const kinds = (row: ReturnType<typeof ok>, history: ReturnType<typeof ok>[]) => detectTravel(row, history, coordinatesOf, s).map((f) => f.kind).sort();

test('the offline database places the test addresses', () => {
  assert.equal(coordinatesOf(LONDON)?.country, 'GB');
  assert.equal(coordinatesOf(KANSAS)?.country, 'US');
  assert.equal(coordinatesOf('192.0.2.10'), null, 'a documentation address has no place');
});

test('London, then the United States an hour later, is impossible travel; twelve hours later it is a flight', () => {
  const found = detectTravel(ok(60, KANSAS), [ok(0, LONDON)], coordinatesOf, s);
  const travel = found.find((f) => f.kind === 'signin.impossible_travel');
  assert.ok(travel);
  assert.equal(travel.subject, 'u1');
  assert.deepEqual(travel.risk, { scope: 'user', level: 'medium', userId: 'u1' });
  assert.ok((travel.evidence.speedKmh as number) > 1000);
  assert.deepEqual(kinds(ok(12 * 60, KANSAS), [ok(0, LONDON), ok(5, LONDON)]), ['signin.new_country'], 'a new country, but reachable');
});

test('neighbouring countries within the database\'s accuracy are not travel; an address without a place is never judged', () => {
  assert.deepEqual(kinds(ok(30, GERMANY), [ok(0, LONDON)]), ['signin.new_country']);
  assert.deepEqual(kinds(ok(30, '192.0.2.10'), [ok(0, LONDON)]), []);
});

test('a first sign-in from a new country is found once the person has a history; the usual country is quiet', () => {
  assert.deepEqual(kinds(ok(0, GERMANY), []), [], 'the very first sign-in has nothing to compare with');
  assert.deepEqual(kinds(ok(600, LONDON), [ok(0, LONDON), ok(300, LONDON)]), []);
  const found = detectTravel(ok(600, GERMANY), [ok(0, LONDON)], coordinatesOf, s);
  assert.deepEqual(found.map((f) => [f.kind, f.subject, f.severity]), [['signin.new_country', 'u1:DE', 'low']]);
});
