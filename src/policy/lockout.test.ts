import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyDocumentSchema, type PolicyDocumentInput } from './document.ts';
import { defaultPolicies } from './defaults.ts';
import { analyseLockout, type LockoutOptions, type LockoutSubject } from './lockout.ts';
import type { PolicySet } from './model.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const OPTIONS: LockoutOptions = { now: NOW, registrableMethods: ['totp', 'webauthn'], enrolmentApps: [] };

const p = (id: string, doc: PolicyDocumentInput) => ({ id, document: policyDocumentSchema.parse(doc) });
const set = (...policies: ReturnType<typeof p>[]): PolicySet => ({ policies, namedLocations: [], exceptions: [] });

function subject(over: Partial<LockoutSubject> = {}): LockoutSubject {
  return {
    id: over.username ?? 'bob', username: 'bob', kind: 'person', groups: [], roles: [], registeredMethods: ['password'],
    bootstrapMethods: [], hasCompliantDevice: false, userRisk: 'none', apps: ['mail'], ...over,
  };
}

test('the default policies strand nobody: an admin without a second factor registers one inside the sign-in', () => {
  const r = analyseLockout({ policies: defaultPolicies(), namedLocations: [], exceptions: [] }, [
    subject({ username: 'root', roles: ['global_admin'] }),
    subject({ username: 'bob' }),
    subject({ username: 'carol', registeredMethods: ['password', 'totp'] }),
  ], OPTIONS);
  assert.deepEqual(r.findings, []);
  assert.equal(r.allGlobalAdminsStranded, false);
});

test('a break-glass account whose only method is TOTP is stranded by a phishing-resistant policy for everyone', () => {
  const s = set(p('pr', { name: 'Keys for everyone', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { strength: 'phishing_resistant_mfa' } }));
  const glass = subject({ username: 'glass', kind: 'break_glass', registeredMethods: ['password', 'totp'] });
  // No bootstrap path and no way to register a key: the portal itself needs a key.
  const r = analyseLockout(s, [glass], { ...OPTIONS, registrableMethods: ['totp'] });
  assert.deepEqual(r.strandedBreakGlass, ['glass']);
  assert.equal(r.findings[0]!.kind, 'stranded');
  assert.deepEqual(r.findings[0]!.policies.map((x) => x.policyId), ['pr']);
  // With a security key already registered it is fine.
  const ok = analyseLockout(s, [{ ...glass, registeredMethods: ['password', 'webauthn'] }], { ...OPTIONS, registrableMethods: ['totp'] });
  assert.deepEqual(ok.strandedBreakGlass, []);
});

test('a block for all strands every global admin', () => {
  const s = set(p('b', { name: 'Block all', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { block: true } }));
  const r = analyseLockout(s, [subject({ username: 'a1', roles: ['global_admin'] }), subject({ username: 'a2', roles: ['global_admin'] })], OPTIONS);
  assert.equal(r.allGlobalAdminsStranded, true);
  assert.equal(r.strandedUsers.length, 2);
});

test('report-only and disabled policies strand nobody', () => {
  const s = set(
    p('b', { name: 'Block all (trial)', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { block: true } }),
    p('c', { name: 'Block all (off)', state: 'disabled', assignments: { users: { include: 'all' } }, grant: { block: true } }),
  );
  assert.deepEqual(analyseLockout(s, [subject({ roles: ['global_admin'] })], OPTIONS).findings, []);
});

test('a TAP from the helpdesk is a bootstrap path to register the method a policy needs', () => {
  const s = set(p('pr', { name: 'Keys for everyone', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: 'all', exclude: ['tessera:portal'] } }, grant: { strength: 'phishing_resistant_mfa' } }),
    p('portal', { name: 'Portal needs MFA', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['tessera:portal'] } }, grant: { strength: 'mfa' } }));
  const noTap = analyseLockout(s, [subject({ registeredMethods: ['password'] })], { ...OPTIONS, registrableMethods: ['webauthn'] });
  // The portal accepts a first registration inside the sign-in, so even without a TAP a key can be registered.
  assert.deepEqual(noTap.findings, []);
  const tap = analyseLockout(s, [subject({ registeredMethods: ['password', 'totp'], bootstrapMethods: ['tap'] })], { ...OPTIONS, registrableMethods: ['webauthn'] });
  assert.deepEqual(tap.findings, []);
});

test('the circular enrolment dependency is detected and the fix is named', () => {
  const s = set(p('dev', {
    name: 'MFA and a compliant device everywhere', state: 'enabled',
    assignments: { users: { include: 'all' } }, grant: { strength: 'mfa', compliantDevice: true },
  }));
  const options = { ...OPTIONS, enrolmentApps: ['mdm-enrol'] };
  const r = analyseLockout(s, [subject({ registeredMethods: ['password'], bootstrapMethods: ['tap'] })], options);
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.equal(f.kind, 'circular_enrolment');
  assert.match(f.message, /circular/);
  assert.match(f.fix!, /enrolment policy/);
  assert.match(f.fix!, /Temporary Access Pass/);
  assert.deepEqual(r.strandedUsers, ['bob']);

  // The fix: the enrolment app is excluded from the device requirement and has its own policy a TAP satisfies.
  const fixed = set(
    p('dev', { name: 'MFA and a compliant device everywhere', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: 'all', exclude: ['mdm-enrol'] } }, grant: { strength: 'mfa', compliantDevice: true } }),
    p('enrol', { name: 'Device enrolment with MFA or a TAP', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mdm-enrol'] } }, grant: { strength: 'mfa' } }),
  );
  assert.deepEqual(analyseLockout(fixed, [subject({ registeredMethods: ['password'], bootstrapMethods: ['tap'] })], options).findings, []);
});

test('without a configured enrolment app a device requirement is a warning, not a lockout', () => {
  const s = set(p('dev', { name: 'Compliant device everywhere', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { compliantDevice: true } }));
  const r = analyseLockout(s, [subject({ roles: ['global_admin'] })], OPTIONS);
  assert.equal(r.findings[0]!.kind, 'needs_device_outside_tessera');
  assert.deepEqual(r.strandedUsers, []);
  assert.equal(r.allGlobalAdminsStranded, false);
});

test('admins need phishing-resistant MFA: an admin with password + TOTP registers a passkey inside the sign-in after MFA', () => {
  const s = set(p('adm', {
    name: 'Admins need phishing-resistant MFA', state: 'enabled',
    assignments: { users: { include: 'all' }, roles: { include: ['global_admin', 'security_admin'] } }, grant: { strength: 'phishing_resistant_mfa' },
  }));
  const root = subject({ username: 'root', roles: ['global_admin'], registeredMethods: ['password', 'totp'] });
  // With TAPs on offer (the pass is a bootstrap path, not a registered second factor) and without.
  for (const bootstrapMethods of [['tap'], []]) {
    const r = analyseLockout(s, [{ ...root, bootstrapMethods }], OPTIONS);
    assert.deepEqual(r.findings, [], JSON.stringify(r.findings));
    assert.equal(r.allGlobalAdminsStranded, false);
  }
  // A password-only admin gets in with a pass: it proves MFA, and the passkey is registered on the spot.
  const withPass = analyseLockout(s, [{ ...root, registeredMethods: ['password'], bootstrapMethods: ['tap'] }], OPTIONS);
  assert.deepEqual(withPass.findings, []);
});

test('a change that truly strands someone is still found: a password-only admin while passes are off', () => {
  const s = set(p('adm', {
    name: 'Admins need phishing-resistant MFA', state: 'enabled',
    assignments: { users: { include: 'all' }, roles: { include: ['global_admin'] } }, grant: { strength: 'phishing_resistant_mfa' },
  }));
  const root = subject({ username: 'root', roles: ['global_admin'], registeredMethods: ['password'], bootstrapMethods: [] });
  const r = analyseLockout(s, [root], OPTIONS);
  // A password alone must not be enough to add the key that the policy asks for.
  assert.equal(r.allGlobalAdminsStranded, true);
  assert.equal(r.findings[0]!.kind, 'stranded');
  assert.match(r.findings[0]!.message, /methods \(password\) and bootstrap paths \(none\)/);
  // The default "MFA for admins" is still met by a first registration after the password.
  const mfa = set(p('m', { name: 'Admins need MFA', state: 'enabled', assignments: { users: { include: 'all' }, roles: { include: ['global_admin'] } }, grant: { strength: 'mfa' } }));
  assert.deepEqual(analyseLockout(mfa, [root], OPTIONS).findings, []);
});
