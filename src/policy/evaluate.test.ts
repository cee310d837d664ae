import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyDocumentSchema, type PolicyDocumentInput } from './document.ts';
import { evaluatePolicies, reportOnlyEntries } from './evaluate.ts';
import { defaultPolicies } from './defaults.ts';
import type { PolicyException, PolicySet, ReasonCode, SigninFacts } from './model.ts';

/**
 * The decision table: each row is a sign-in (facts) against one policy set,
 * with the expected outcome and, for the policies that matter to the row, why
 * they applied or not.
 */
const NOW = new Date('2026-11-23T12:00:00Z');

function policy(id: string, doc: PolicyDocumentInput) {
  return { id, document: policyDocumentSchema.parse(doc) };
}

const exceptions: PolicyException[] = [
  { id: 'ex-carol', policyId: 'all-mfa', subjectKind: 'user', subject: 'carol', startsAt: '2026-11-01T00:00:00Z', endsAt: '2026-11-30T23:59:59.999Z' },
  { id: 'ex-old', policyId: 'all-mfa', subjectKind: 'user', subject: 'dave', startsAt: '2026-10-01T00:00:00Z', endsAt: '2026-10-31T23:59:59.999Z' },
  { id: 'ex-contractors', policyId: 'all-mfa', subjectKind: 'group', subject: 'Contractors', startsAt: '2026-11-20T00:00:00Z', endsAt: '2026-12-01T00:00:00Z' },
  { id: 'ex-future', policyId: 'all-mfa', subjectKind: 'user', subject: 'erin', startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-10T00:00:00Z' },
];

const SET: PolicySet = {
  namedLocations: [
    { name: 'Office', ipRanges: ['203.0.113.0/24', '2001:db8:1::/48'], trusted: true },
    { name: 'Sanctioned', countries: ['KP', 'IR'], trusted: false },
  ],
  exceptions,
  policies: [
    policy('all-mfa', { name: 'MFA for everyone outside the office', state: 'enabled', assignments: { users: { include: 'all' } }, conditions: { locations: { include: 'all', exclude: ['Office'] } }, grant: { strength: 'mfa' } }),
    policy('admins-pr', { name: 'Phishing-resistant for global admins', state: 'enabled', assignments: { roles: { include: ['global_admin'] } }, grant: { strength: 'phishing_resistant_mfa' } }),
    policy('block-sanctioned', { name: 'Block sanctioned countries', state: 'enabled', assignments: { users: { include: 'all' }, roles: { exclude: ['global_admin'] } }, conditions: { locations: { include: ['Sanctioned'] } }, grant: { block: true } }),
    policy('hr-device', { name: 'HR app needs a compliant device', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['hr-app'] } }, grant: { compliantDevice: true } }),
    policy('payroll-either', { name: 'Payroll: MFA or compliant device', state: 'enabled', assignments: { groups: { include: ['Finance'] }, apps: { include: ['payroll'] } }, grant: { strength: 'mfa', compliantDevice: true, operator: 'any' } }),
    policy('vpn-only', { name: 'RADIUS needs MFA', state: 'enabled', assignments: { users: { include: 'all' } }, conditions: { clientTypes: ['radius'] }, grant: { strength: 'mfa' } }),
    policy('risky-block', { name: 'Block high sign-in risk', state: 'enabled', assignments: { users: { include: 'all' } }, conditions: { signInRisk: ['high'] }, grant: { block: true } }),
    policy('user-risk', { name: 'Medium user risk needs passwordless', state: 'enabled', assignments: { users: { include: 'all' } }, conditions: { userRisk: ['medium', 'high'] }, grant: { strength: 'passwordless_mfa' } }),
    policy('unmanaged-session', { name: 'Unmanaged devices: short sessions', state: 'enabled', assignments: { users: { include: 'all' } }, conditions: { device: { managed: false } }, session: { signInFrequencyHours: 4, persistentSession: false } }),
    policy('report-block', { name: 'Trial: block the wiki', state: 'reportOnly', assignments: { users: { include: 'all' }, apps: { include: ['wiki'] } }, grant: { block: true } }),
    policy('disabled-block', { name: 'Old rule', state: 'disabled', assignments: { users: { include: 'all' } }, grant: { block: true } }),
    policy('staged', { name: 'Roll-out: pilot', state: 'enabled', enforceFrom: '2026-12-01T00:00:00Z', assignments: { groups: { include: ['Pilot'] } }, grant: { strength: 'mfa' } }),
    policy('service-block', { name: 'No service clients on the portal', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['tessera:portal'] } }, conditions: { clientTypes: ['service'] }, grant: { block: true } }),
  ],
};

function facts(over: Partial<Omit<SigninFacts, 'user'>> & { user?: Partial<SigninFacts['user']> } = {}): SigninFacts {
  const { user, ...rest } = over;
  return {
    now: NOW,
    app: 'mail',
    ip: '198.51.100.7',
    country: 'CH',
    device: null,
    clientType: 'browser',
    signInRisk: 'none',
    userRisk: 'none',
    methodsUsed: ['password'],
    ...rest,
    user: { id: 'u1', username: 'bob', kind: 'person', groups: [], roles: [], registeredMethods: ['password', 'totp'], ...user },
  };
}

interface Row {
  name: string;
  facts: SigninFacts;
  outcome: 'allow' | 'challenge' | 'block';
  missing?: string[];
  reasons?: Record<string, ReasonCode>;
  set?: PolicySet;
}

const ROWS: Row[] = [
  { name: 'outside the office a password alone is not enough', facts: facts(), outcome: 'challenge', missing: ['mfa'], reasons: { 'all-mfa': 'applied' } },
  { name: 'outside the office password + TOTP is enough', facts: facts({ methodsUsed: ['password', 'totp'] }), outcome: 'allow' },
  { name: 'inside the office (IPv4 range) the password suffices', facts: facts({ ip: '203.0.113.9' }), outcome: 'allow', reasons: { 'all-mfa': 'location_excluded' } },
  { name: 'inside the office (IPv6 range) the password suffices', facts: facts({ ip: '2001:db8:1:2::5' }), outcome: 'allow', reasons: { 'all-mfa': 'location_excluded' } },
  { name: 'an IPv4-mapped IPv6 office address counts as the office', facts: facts({ ip: '::ffff:203.0.113.9' }), outcome: 'allow', reasons: { 'all-mfa': 'location_excluded' } },
  { name: 'an unknown address is outside every named location', facts: facts({ ip: null }), outcome: 'challenge', reasons: { 'all-mfa': 'applied' } },
  { name: 'a global admin needs a phishing-resistant method, TOTP is not enough', facts: facts({ user: { roles: ['global_admin'] }, methodsUsed: ['password', 'totp'] }), outcome: 'challenge', missing: ['phishing_resistant_mfa'], reasons: { 'admins-pr': 'applied' } },
  { name: 'a global admin with a security key passes', facts: facts({ user: { roles: ['global_admin'] }, methodsUsed: ['password', 'webauthn'] }), outcome: 'allow' },
  { name: 'a sign-in from a sanctioned country is blocked', facts: facts({ country: 'KP', methodsUsed: ['password', 'totp'] }), outcome: 'block', reasons: { 'block-sanctioned': 'applied' } },
  { name: 'the block does not touch an excluded role', facts: facts({ country: 'KP', user: { roles: ['global_admin'] }, methodsUsed: ['password', 'webauthn'] }), outcome: 'allow', reasons: { 'block-sanctioned': 'role_excluded' } },
  { name: 'an unknown country matches no country location', facts: facts({ country: null, methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'block-sanctioned': 'location_not_included' } },
  { name: 'the HR app without a device is refused: no factor makes a device compliant', facts: facts({ app: 'hr-app', methodsUsed: ['password', 'totp'] }), outcome: 'block', reasons: { 'hr-device': 'applied' } },
  { name: 'the HR app from a compliant device passes', facts: facts({ app: 'hr-app', device: { managed: true, compliant: true }, methodsUsed: ['password', 'totp'] }), outcome: 'allow' },
  { name: 'the HR app from a managed but non-compliant device is refused', facts: facts({ app: 'hr-app', device: { managed: true, compliant: false }, methodsUsed: ['password', 'totp'] }), outcome: 'block' },
  { name: 'a policy for another app does not apply', facts: facts({ methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'hr-device': 'app_not_included' } },
  { name: 'payroll: a compliant device alone satisfies "MFA or compliant device"', facts: facts({ app: 'payroll', ip: '203.0.113.1', user: { groups: ['finance'] }, device: { managed: true, compliant: true } }), outcome: 'allow', reasons: { 'payroll-either': 'applied' } },
  { name: 'payroll: without a compliant device MFA is asked', facts: facts({ app: 'payroll', ip: '203.0.113.1', user: { groups: ['Finance'] } }), outcome: 'challenge', missing: ['mfa'] },
  { name: 'payroll: group membership decides, others are not targeted', facts: facts({ app: 'payroll', ip: '203.0.113.1' }), outcome: 'allow', reasons: { 'payroll-either': 'not_targeted' } },
  { name: 'RADIUS from the office still needs MFA', facts: facts({ clientType: 'radius', ip: '203.0.113.1' }), outcome: 'challenge', reasons: { 'vpn-only': 'applied', 'all-mfa': 'location_excluded' } },
  { name: 'a browser is not a RADIUS client', facts: facts({ ip: '203.0.113.1' }), outcome: 'allow', reasons: { 'vpn-only': 'client_type_not_included' } },
  { name: 'high sign-in risk is blocked even with MFA', facts: facts({ signInRisk: 'high', methodsUsed: ['password', 'totp'] }), outcome: 'block', reasons: { 'risky-block': 'applied' } },
  { name: 'medium sign-in risk is not blocked', facts: facts({ signInRisk: 'medium', methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'risky-block': 'sign_in_risk_not_matched' } },
  { name: 'medium user risk needs a passwordless method', facts: facts({ userRisk: 'medium', methodsUsed: ['password', 'totp'] }), outcome: 'challenge', missing: ['passwordless_mfa'], reasons: { 'user-risk': 'applied' } },
  { name: 'low user risk does not', facts: facts({ userRisk: 'low', methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'user-risk': 'user_risk_not_matched' } },
  { name: 'an unknown device gets the unmanaged session controls', facts: facts({ methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'unmanaged-session': 'applied' } },
  { name: 'a managed device does not', facts: facts({ device: { managed: true, compliant: true }, methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'unmanaged-session': 'device_not_matched' } },
  { name: 'a report-only block never blocks', facts: facts({ app: 'wiki', methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'report-block': 'applied' } },
  { name: 'a disabled policy is not evaluated', facts: facts({ methodsUsed: ['password', 'totp'] }), outcome: 'allow', reasons: { 'disabled-block': 'disabled' } },
  { name: 'an active user exception lifts the policy', facts: facts({ user: { username: 'carol' } }), outcome: 'allow', reasons: { 'all-mfa': 'excepted' } },
  { name: 'exception subjects match regardless of case', facts: facts({ user: { username: 'Carol' } }), outcome: 'allow', reasons: { 'all-mfa': 'excepted' } },
  { name: 'an expired exception no longer applies', facts: facts({ user: { username: 'dave' } }), outcome: 'challenge', reasons: { 'all-mfa': 'applied' } },
  { name: 'an exception that has not started yet does not apply', facts: facts({ user: { username: 'erin' } }), outcome: 'challenge', reasons: { 'all-mfa': 'applied' } },
  { name: 'a group exception lifts the policy for members', facts: facts({ user: { groups: ['contractors'] } }), outcome: 'allow', reasons: { 'all-mfa': 'excepted' } },
  { name: 'an exception on one policy leaves the others', facts: facts({ user: { username: 'carol' }, userRisk: 'high' }), outcome: 'challenge', missing: ['passwordless_mfa'], reasons: { 'all-mfa': 'excepted', 'user-risk': 'applied' } },
  { name: 'before its enforcement date a staged policy only reports', facts: facts({ ip: '203.0.113.1', user: { groups: ['Pilot'] } }), outcome: 'allow', reasons: { staged: 'applied' } },
  { name: 'from its enforcement date the staged policy enforces', facts: facts({ now: new Date('2026-12-01T00:00:00Z'), ip: '203.0.113.1', user: { groups: ['Pilot'] } }), outcome: 'challenge', missing: ['mfa'], reasons: { staged: 'applied' } },
  { name: 'a service client on the portal is blocked', facts: facts({ app: 'tessera:portal', clientType: 'service', methodsUsed: ['password', 'totp'] }), outcome: 'block', reasons: { 'service-block': 'applied' } },
  { name: 'a TAP counts as MFA (helpdesk-verified)', facts: facts({ methodsUsed: ['tap'] }), outcome: 'allow' },
  { name: 'two factors of one kind are not MFA', facts: facts({ methodsUsed: ['password', 'password'] }), outcome: 'challenge', missing: ['mfa'] },
  // The default policies that a fresh installation starts with.
  { name: 'defaults: a user with a password only signs in with it', set: { policies: defaultPolicies(), namedLocations: [], exceptions: [] }, facts: facts({ user: { registeredMethods: ['password'] } }), outcome: 'allow' },
  { name: 'defaults: a user with a second factor is asked for it', set: { policies: defaultPolicies(), namedLocations: [], exceptions: [] }, facts: facts(), outcome: 'challenge', missing: ['mfa'] },
  { name: 'defaults: every admin role needs MFA, even without a second factor', set: { policies: defaultPolicies(), namedLocations: [], exceptions: [] }, facts: facts({ user: { roles: ['auditor'], registeredMethods: ['password'] } }), outcome: 'challenge', missing: ['mfa'] },
  { name: 'an empty policy set allows', set: { policies: [], namedLocations: [], exceptions: [] }, facts: facts(), outcome: 'allow' },
];

test('the policy decision table has at least 30 scenarios', () => {
  assert.ok(ROWS.length >= 30, `${ROWS.length} rows`);
});

for (const row of ROWS) {
  test(`decision: ${row.name}`, () => {
    const d = evaluatePolicies(row.set ?? SET, row.facts);
    assert.equal(d.outcome, row.outcome, JSON.stringify(d.policies.filter((p) => p.applies)));
    if (row.missing) assert.deepEqual(d.missingStrengths, row.missing);
    for (const [id, reason] of Object.entries(row.reasons ?? {})) {
      const r = d.policies.find((p) => p.policyId === id);
      assert.ok(r, `policy ${id} is in the result`);
      assert.equal(r.reason, reason, `${id}: ${JSON.stringify(r)}`);
    }
    assert.equal(d.policies.length, (row.set ?? SET).policies.length, 'every policy has a result');
  });
}

test('report-only never blocks, and says what it would have done', () => {
  const set: PolicySet = {
    namedLocations: [],
    exceptions: [],
    policies: [
      policy('ro-block', { name: 'Would block everyone', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { block: true } }),
      policy('ro-device', { name: 'Would need a device', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { compliantDevice: true } }),
      policy('ro-pr', { name: 'Would need a key', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { strength: 'phishing_resistant_mfa' } }),
    ],
  };
  for (const methodsUsed of [['password'], ['password', 'totp'], ['webauthn']]) {
    const d = evaluatePolicies(set, facts({ methodsUsed }));
    assert.equal(d.outcome, 'allow');
    assert.deepEqual(d.requiredStrengths, []);
    assert.equal(d.blockedBy, null);
  }
  const entries = reportOnlyEntries(evaluatePolicies(set, facts()));
  assert.deepEqual(entries.map((e) => [e.policyId, e.wouldBe]), [['ro-block', 'block'], ['ro-device', 'unsatisfied'], ['ro-pr', 'unsatisfied']]);
  assert.deepEqual(entries[1]!.missing, { compliantDevice: true });
});

test('an exception stops applying the minute after its end date', () => {
  const endsAt = '2026-11-30T23:59:59.999Z';
  const set: PolicySet = {
    namedLocations: [],
    exceptions: [{ id: 'x', policyId: 'p', subjectKind: 'user', subject: 'bob', startsAt: '2026-11-01T00:00:00Z', endsAt }],
    policies: [policy('p', { name: 'MFA', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' } })],
  };
  const at = (iso: string) => evaluatePolicies(set, facts({ now: new Date(iso) })).outcome;
  assert.equal(at('2026-11-30T23:59:00Z'), 'allow', 'the last minute of the end date is still covered');
  assert.equal(at(endsAt), 'allow');
  assert.equal(at('2026-12-01T00:00:59Z'), 'challenge', 'the minute after the end date it no longer applies');
  assert.equal(at('2026-12-01T00:01:00Z'), 'challenge');
});

test('session controls: the shortest frequency, the shortest idle limit and no persistence win', () => {
  const set: PolicySet = {
    namedLocations: [],
    exceptions: [],
    policies: [
      policy('a', { name: 'a', state: 'enabled', assignments: { users: { include: 'all' } }, session: { signInFrequencyHours: 12, idleMinutes: 30 } }),
      policy('b', { name: 'b', state: 'enabled', assignments: { users: { include: 'all' } }, session: { signInFrequencyHours: 2, idleMinutes: 60, persistentSession: false } }),
      policy('c', { name: 'c', state: 'reportOnly', assignments: { users: { include: 'all' } }, session: { signInFrequencyHours: 1, idleMinutes: 5 } }),
    ],
  };
  const d = evaluatePolicies(set, facts());
  assert.deepEqual(d.session, { signInFrequencyHours: 2, idleMinutes: 30, persistent: false }, 'report-only policies set no session control');
});

test('the same set object is compiled once and evaluations stay independent', () => {
  const a = evaluatePolicies(SET, facts({ ip: '203.0.113.9' }));
  const b = evaluatePolicies(SET, facts());
  assert.equal(a.outcome, 'allow');
  assert.equal(b.outcome, 'challenge');
});

test('policy documents: user and group exclusions are not part of a policy', () => {
  const r = policyDocumentSchema.safeParse({ name: 'x', assignments: { users: { include: 'all', exclude: ['bob'] } }, grant: { block: true } });
  assert.equal(r.success, false);
  const g = policyDocumentSchema.safeParse({ name: 'x', assignments: { users: { include: 'all' } }, grant: {} });
  assert.equal(g.success, false, 'an empty grant is refused');
});

test('targeting by user, group, role or everyone; the policies that name nobody here answer "not targeted"', () => {
  const set: PolicySet = {
    namedLocations: [],
    exceptions: [],
    policies: [
      policy('everyone', { name: 'Everyone', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' } }),
      policy('by-user', { name: 'Named people', state: 'enabled', assignments: { users: { include: ['Alice', 'bob'] } }, grant: { strength: 'mfa' } }),
      policy('by-group', { name: 'Finance', state: 'reportOnly', enforceFrom: '2027-01-01T00:00:00Z', assignments: { groups: { include: ['Finance'] } }, grant: { strength: 'mfa' } }),
      policy('by-role', { name: 'Helpdesk', state: 'enabled', assignments: { roles: { include: ['helpdesk'] } }, grant: { strength: 'mfa' } }),
      policy('role-out', { name: 'Not auditors', state: 'enabled', assignments: { groups: { include: ['finance'] }, roles: { exclude: ['auditor'] } }, grant: { strength: 'mfa' } }),
      policy('off', { name: 'Off', state: 'disabled', assignments: { users: { include: ['alice'] } }, grant: { block: true } }),
    ],
  };
  const person = (username: string, groups: string[], roles: string[]): SigninFacts => ({
    now: NOW, user: { id: username, username, kind: 'person', groups, roles, registeredMethods: ['password'] },
    app: 'mail', ip: null, country: null, device: null, clientType: 'browser', signInRisk: 'none', userRisk: 'none', methodsUsed: ['password'],
  });
  const reasons = (f: SigninFacts) => Object.fromEntries(evaluatePolicies(set, f).policies.map((r) => [r.policyId, r.reason]));
  assert.deepEqual(reasons(person('ALICE', [], [])), {
    everyone: 'applied', 'by-user': 'applied', 'by-group': 'not_targeted', 'by-role': 'not_targeted', 'role-out': 'not_targeted', off: 'disabled',
  });
  assert.deepEqual(reasons(person('carol', ['FINANCE'], ['helpdesk', 'auditor'])), {
    everyone: 'applied', 'by-user': 'not_targeted', 'by-group': 'applied', 'by-role': 'applied', 'role-out': 'role_excluded', off: 'disabled',
  });
  const a = evaluatePolicies(set, person('dave', [], []));
  const b = evaluatePolicies(set, person('erin', ['Sales'], []));
  const scheduled = a.policies.find((r) => r.policyId === 'by-group')!;
  // Shared between decisions, and frozen so no caller can change another decision's answer.
  assert.equal(scheduled, b.policies.find((r) => r.policyId === 'by-group'));
  assert.ok(Object.isFrozen(scheduled));
  assert.deepEqual({ ...scheduled }, {
    policyId: 'by-group', name: 'Finance', mode: 'reportOnly', applies: false, reason: 'not_targeted', detail: 'enforced from 2027-01-01T00:00:00Z', effect: undefined, missing: undefined,
  });
});
