import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postureChecklist } from './checklist.ts';
import type { PostureFacts } from './model.ts';
import type { StoredPolicy } from '../../policy/model.ts';
import { policyDocumentSchema, type PolicyDocumentInput } from '../../policy/document.ts';

/** Every row of the checklist passes on these facts; each test below breaks one thing and sees its row fail. */
const NOW = new Date('2026-12-01T12:00:00Z');

function policy(input: Partial<PolicyDocumentInput> = {}): StoredPolicy {
  const document = policyDocumentSchema.parse({
    name: 'MFA everywhere', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' }, ...input,
  });
  return { id: 'p1', document };
}

function facts(): PostureFacts {
  return {
    now: NOW,
    admins: [{ username: 'ada', level: 'phishing_resistant_mfa', methods: ['password', 'webauthn'] }],
    people: { total: 4, phishingResistant: 1 },
    webauthnEnabled: true,
    apps: [{ kind: 'oidc', appId: 'mail', category: 'mail' }, { kind: 'radius', appId: 'radius:vpn-1', category: 'vpn' }],
    policies: [policy()],
    weakStrengths: [],
    push: { enabled: true, users: 2, acknowledged: 2, requestsPerWindow: 3, windowMinutes: 5, failuresBeforeSuspend: 3 },
    restricted: { smsAllowAdmins: false, voiceAllowAdmins: false },
    serviceAccounts: [{ username: 'backup-bot', credentials: [] }],
    machineClients: [{ clientId: 'reporting', authMethod: 'private_key_jwt' }],
    exceptions: [{ id: 'e1', policyName: 'MFA everywhere', subject: 'user bob', endsAt: '2026-12-10T00:00:00.000Z' }],
    recovery: {
      tap: { reviewed: true, allowMultiUse: false, maxLifetimeMinutes: 480 },
      runbooks: { scenarios: ['planned_phone_change', 'lost_phone', 'first_device'], casesLast90Days: 2 },
      breakGlass: { testIntervalDays: 90, accounts: ['glass-1', 'glass-2'], overdue: [], missingCredentials: [] },
    },
  };
}

function rowOf(f: PostureFacts, id: string) {
  const row = postureChecklist(f).find((r) => r.id === id);
  assert.ok(row, `row ${id}`);
  return row;
}

function failsWith(id: string, change: (f: PostureFacts) => void, fix: RegExp) {
  const f = facts();
  change(f);
  const row = rowOf(f, id);
  assert.equal(row.status, 'fail', id);
  assert.match(row.fix ?? '', fix);
}

test('on good facts every row passes, with figures and no fix', () => {
  const rows = postureChecklist(facts());
  assert.deepEqual(rows.map((r) => r.id), [
    'admin-mfa', 'app-mfa', 'phishing-resistant', 'push-number-matching', 'recovery-documented', 'break-glass-tested',
    'service-accounts', 'push-fatigue-notice', 'exceptions-end-date', 'sms-admins',
  ]);
  for (const r of rows) {
    assert.equal(r.status, 'pass', `${r.id}: ${r.fix}`);
    assert.equal(r.fix, null);
    assert.ok(Object.keys(r.figures).length > 0);
  }
  assert.equal(rowOf(facts(), 'admin-mfa').figures.phishingResistantShare, 100);
  assert.equal(rowOf(facts(), 'phishing-resistant').figures.peopleShare, 25);
});

test('admin-mfa fails for an administrator without a second factor', () => {
  failsWith('admin-mfa', (f) => f.admins.push({ username: 'bob', level: 'none', methods: ['password'] }), /register a second factor.*bob/);
});

test('phishing-resistant fails when an administrator lacks one or the method is off', () => {
  failsWith('phishing-resistant', (f) => f.admins.push({ username: 'cy', level: 'mfa', methods: ['password', 'totp'] }), /security key or passkey.*cy/);
  failsWith('phishing-resistant', (f) => { f.webauthnEnabled = false; }, /tessera methods set webauthn --enabled on/);
});

test('app-mfa fails for a mail, cloud or VPN app no policy protects, and when nothing is categorised', () => {
  failsWith('app-mfa', (f) => { f.policies = [policy({ assignments: { users: { include: 'all' }, apps: { include: ['mail'] } } })]; }, /requires MFA.*radius:vpn-1/);
  failsWith('app-mfa', (f) => { f.policies = [policy({ state: 'reportOnly' })]; }, /mail, radius:vpn-1/);
  failsWith('app-mfa', (f) => { f.policies = [policy({ conditions: { clientTypes: ['browser'] } })]; }, /mail/);
  failsWith('app-mfa', (f) => { f.policies = [policy({ enforceFrom: '2027-01-01T00:00:00Z' })]; }, /mail/);
  failsWith('app-mfa', (f) => { f.policies = [policy({ grant: { strength: 'two-passwords' } })]; f.weakStrengths = ['two-passwords']; }, /mail/);
  failsWith('app-mfa', (f) => { f.policies = [policy({ grant: { strength: 'mfa', compliantDevice: true, operator: 'any' } })]; }, /mail/);
  failsWith('app-mfa', (f) => { for (const a of f.apps) a.category = 'other'; }, /tessera posture category/);
});

test('push-number-matching passes by design and shows the bombing limits', () => {
  const r = rowOf(facts(), 'push-number-matching');
  assert.equal(r.figures.numberMatching, 'always');
  assert.equal(r.figures.requestsPerWindow, 3);
});

test('push-fatigue-notice fails while a push user has not acknowledged it', () => {
  failsWith('push-fatigue-notice', (f) => { f.push.users = 3; }, /1 push user/);
  const f = facts();
  f.push.users = 4;
  f.push.acknowledged = 3;
  assert.equal(rowOf(f, 'push-fatigue-notice').figures.share, 75);
});

test('recovery-documented fails for an unreviewed or multi-use pass policy', () => {
  failsWith('recovery-documented', (f) => { f.recovery.tap.reviewed = false; }, /tessera tap policy/);
  failsWith('recovery-documented', (f) => { f.recovery.tap.allowMultiUse = true; }, /--one-time-only/);
});

test('break-glass-tested fails with no accounts, an overdue test or too few keys', () => {
  failsWith('break-glass-tested', (f) => { f.recovery.breakGlass.accounts = []; }, /Create two break-glass accounts/);
  failsWith('break-glass-tested', (f) => { f.recovery.breakGlass.overdue = ['glass-2']; }, /glass-2: no passing test in the last 90 days/);
  failsWith('break-glass-tested', (f) => { f.recovery.breakGlass.missingCredentials = ['glass-1']; }, /glass-1: fewer than two/);
});

test('service-accounts fails for interactive credentials or a shared client secret', () => {
  failsWith('service-accounts', (f) => { f.serviceAccounts[0]!.credentials = ['password']; }, /backup-bot/);
  failsWith('service-accounts', (f) => { f.machineClients.push({ clientId: 'legacy', authMethod: 'client_secret_basic' }); }, /private_key_jwt.*legacy/);
});

test('exceptions-end-date fails for an exception without an end', () => {
  failsWith('exceptions-end-date', (f) => { f.exceptions.push({ id: 'e2', policyName: 'x', subject: 'group ops', endsAt: null }); }, /e2/);
});

test('sms-admins fails when the policy lets administrators use SMS or one has it', () => {
  failsWith('sms-admins', (f) => { f.restricted.voiceAllowAdmins = true; }, /--admins off/);
  failsWith('sms-admins', (f) => { f.admins[0]!.methods.push('sms'); }, /Remove SMS or voice.*ada/);
});
