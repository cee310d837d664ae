import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyDocumentSchema, type PolicyDocumentInput } from './document.ts';
import { defaultPolicies, DEFAULT_POLICY_IDS } from './defaults.ts';
import { analyseDowngrade, describeLosses } from './downgrade.ts';
import type { LockoutSubject } from './lockout.ts';
import type { PolicySet } from './model.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const p = (id: string, doc: PolicyDocumentInput) => ({ id, document: policyDocumentSchema.parse(doc) });
const set = (...policies: PolicySet['policies']): PolicySet => ({ policies, namedLocations: [], exceptions: [] });
const without = (s: PolicySet, id: string): PolicySet => ({ ...s, policies: s.policies.filter((x) => x.id !== id) });

function subject(over: Partial<LockoutSubject> = {}): LockoutSubject {
  return {
    id: over.username ?? 'bob', username: 'bob', kind: 'person', groups: [], roles: [], registeredMethods: ['password'],
    bootstrapMethods: ['tap'], hasCompliantDevice: false, userRisk: 'none', apps: [], ...over,
  };
}

const people = [
  subject({ username: 'root', roles: ['global_admin'], registeredMethods: ['password', 'totp'] }),
  subject({ username: 'carol', registeredMethods: ['password', 'totp'] }),
  subject({ username: 'bob' }),
];

test('deleting the built-in policy for people with a second factor: the TOTP user would sign in with a password alone', () => {
  const current = set(...defaultPolicies());
  const r = analyseDowngrade(current, without(current, DEFAULT_POLICY_IDS.registeredMfa), people, { now: NOW });
  // root keeps MFA through the admins' policy; bob never needed more than a password.
  assert.deepEqual(r.people, ['carol']);
  assert.ok(r.losses.every((l) => l.before === 'mfa' && l.after === 'password'));
  assert.match(describeLosses(r), /carol, tessera:portal: needed MFA, would need only a password/);
});

test('disabling or switching an enforced MFA policy to report-only is a downgrade; enabling one, or adding one, is not', () => {
  const current = set(...defaultPolicies());
  const admins = current.policies.find((x) => x.id === DEFAULT_POLICY_IDS.adminsMfa)!;
  // root has TOTP, so the policy for people with a second factor still asks root for it; a new admin has only a password.
  const admin = subject({ username: 'newadmin', roles: ['helpdesk'] });
  for (const state of ['disabled', 'reportOnly'] as const) {
    const proposed = set(...current.policies.filter((x) => x !== admins), { id: admins.id, document: { ...admins.document, state } });
    assert.deepEqual(analyseDowngrade(current, proposed, [...people, admin], { now: NOW }).people, ['newadmin'], state);
  }
  const stricter = set(...current.policies, p('pr', { name: 'Keys for admins', state: 'enabled', assignments: { roles: { include: ['global_admin'] } }, grant: { strength: 'phishing_resistant_mfa' } }));
  assert.deepEqual(analyseDowngrade(current, stricter, people, { now: NOW }).losses, []);
  const back = analyseDowngrade(stricter, current, people, { now: NOW });
  assert.deepEqual(back.losses.map((l) => [l.username, l.before, l.after]).slice(0, 1), [['root', 'phishing_resistant_mfa', 'mfa']]);
});

test('an app a policy names counts even when nobody used it lately; blocks are access rules, not strength', () => {
  const mail = p('mail', { name: 'Mail needs MFA', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mail'] } }, grant: { strength: 'mfa' } });
  const r = analyseDowngrade(set(mail), set(), [subject()], { now: NOW });
  assert.deepEqual(r.losses.map((l) => [l.app, l.before, l.after]), [['mail', 'mfa', 'password']]);
  const block = p('b', { name: 'Block mail', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mail'] } }, grant: { block: true } });
  assert.deepEqual(analyseDowngrade(set(block), set(), [subject()], { now: NOW }).losses, []);
});

test('dropping a compliant-device requirement is a downgrade', () => {
  const device = p('d', { name: 'Compliant device for mail', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mail'] } }, grant: { compliantDevice: true } });
  const r = analyseDowngrade(set(device), set(), [subject()], { now: NOW });
  assert.deepEqual(r.losses.map((l) => [l.app, l.before, l.after, l.onCompliantDevice]), [['mail', 'compliant_device', 'password', false]]);
  assert.match(r.losses[0]!.message, /needed a compliant device, would need only a password/);
});
