import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyDocumentSchema, type PolicyDocumentInput } from '../../src/policy/document.ts';
import { evaluatePolicies } from '../../src/policy/evaluate.ts';
import type { SigninFacts } from '../../src/policy/model.ts';
import { RecentlyUsed } from '../../src/policy/recently-used.ts';
import { isReadOnlyDocument, policySetFromRows, readPolicyDocument } from '../../src/policy/stored-documents.ts';

/**
 * A process keeps the documents it read by their stored text, and what it
 * compiled from them (src/policy/stored-documents.ts, compile.ts): after a
 * change only what changed is checked and compiled again. These say that a
 * change is never missed and that what is kept cannot be changed by a caller.
 */
const stored = (doc: PolicyDocumentInput) => JSON.stringify(policyDocumentSchema.parse(doc));
const mfaOutsideOffice: PolicyDocumentInput = {
  name: 'MFA outside the office', state: 'enabled', assignments: { users: { include: 'all' } },
  conditions: { locations: { include: 'all', exclude: ['Office'] } }, grant: { strength: 'mfa' },
};
const office = (ranges: string[]) => ({ document: JSON.stringify({ name: 'Office', ipRanges: ranges, trusted: true }) });

const facts = (ip: string): SigninFacts => ({
  now: new Date('2026-11-23T12:00:00Z'),
  user: { id: 'u1', username: 'carol', kind: 'person', groups: [], roles: [], registeredMethods: ['password', 'totp'] },
  app: 'app-1', ip, country: null, device: null, clientType: 'browser', signInRisk: 'none', userRisk: 'none', methodsUsed: ['password'],
});

test('the same stored text gives the same document, frozen to the last array', () => {
  const text = stored(mfaOutsideOffice);
  const a = readPolicyDocument(text);
  assert.equal(readPolicyDocument(Buffer.from(text).toString()), a);
  assert.ok(isReadOnlyDocument(a));
  assert.throws(() => { (a as { name: string }).name = 'other'; }, TypeError);
  assert.throws(() => { (a.conditions.locations!.exclude as string[]).push('Anywhere'); }, TypeError);
  assert.notEqual(readPolicyDocument(stored({ ...mfaOutsideOffice, description: 'edited' })), a);
});

test('a stored document that fails the schema check fails every time', () => {
  const bad = JSON.stringify({ name: 'No grant', assignments: {}, conditions: {} });
  assert.throws(() => readPolicyDocument(bad));
  assert.throws(() => readPolicyDocument(bad));
});

test('a changed policy or named location decides from the new text, the unchanged ones from what was kept', () => {
  const rows = [{ id: 'p1', document: stored(mfaOutsideOffice) }];
  const first = evaluatePolicies(policySetFromRows(rows, [office(['10.0.0.0/8'])], []), facts('10.1.2.3'));
  assert.equal(first.outcome, 'allow');
  // The office moved: the same policy text, another location text.
  const moved = evaluatePolicies(policySetFromRows(rows, [office(['192.0.2.0/24'])], []), facts('10.1.2.3'));
  assert.equal(moved.outcome, 'challenge');
  // The policy now blocks: another policy text, the location as before.
  const blocking = [{ id: 'p1', document: stored({ ...mfaOutsideOffice, grant: { block: true } }) }];
  const blocked = evaluatePolicies(policySetFromRows(blocking, [office(['192.0.2.0/24'])], []), facts('10.1.2.3'));
  assert.equal(blocked.outcome, 'block');
  // And back: the first texts again give the first answer.
  assert.equal(evaluatePolicies(policySetFromRows(rows, [office(['10.0.0.0/8'])], []), facts('10.1.2.3')).outcome, 'allow');
});

test('a document that did not come from stored text is compiled again in every new set', () => {
  const doc = policyDocumentSchema.parse(mfaOutsideOffice);
  const locations = [{ name: 'Office', ipRanges: ['10.0.0.0/8'], trusted: true }];
  assert.equal(evaluatePolicies({ policies: [{ id: 'p1', document: doc }], namedLocations: locations, exceptions: [] }, facts('192.0.2.1')).outcome, 'challenge');
  doc.state = 'disabled';
  assert.equal(evaluatePolicies({ policies: [{ id: 'p1', document: doc }], namedLocations: locations, exceptions: [] }, facts('192.0.2.1')).outcome, 'allow');
});

test('what recent reads used is kept within twice its limit, and made again once gone', () => {
  const made: number[] = [];
  const cache = new RecentlyUsed<number, string>(3);
  const get = (k: number) => cache.get(k, (x) => { made.push(x); return `v${x}`; });
  for (const k of [1, 2, 1, 2]) get(k);
  assert.deepEqual(made, [1, 2]);
  for (const k of [3, 4, 5, 6, 7]) get(k);
  made.length = 0;
  get(1);
  assert.deepEqual(made, [1]);
  assert.equal(get(7), 'v7');
  assert.deepEqual(made, [1]);
});

test('a round keeps what the round before used only while it asks for it', () => {
  const made: number[] = [];
  const cache = new RecentlyUsed<number, string>(100);
  const get = (k: number) => cache.get(k, (x) => { made.push(x); return `v${x}`; });
  get(1);
  get(2);
  cache.nextRound();
  get(1);
  cache.nextRound();
  get(1);
  get(2);
  assert.deepEqual(made, [1, 2, 2]);
});
