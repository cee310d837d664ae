import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAccess } from './decide.ts';
import type { AccessConfig, AccessRequest, GrantPoint } from './request.ts';
import { policyDocumentSchema } from '../document.ts';
import { strengthCatalog, type MethodUse } from '../strengths.ts';
import type { SigninFacts, StoredPolicy } from '../model.ts';

const NOW = new Date('2026-12-01T12:00:00Z');

function config(documents: unknown[], adminsRequirePhishingResistant = true): AccessConfig {
  const policies: StoredPolicy[] = documents.map((d, i) => ({ id: `p${i}`, document: policyDocumentSchema.parse(d) }));
  return { set: { policies, namedLocations: [], exceptions: [] }, catalog: strengthCatalog(), customStrengths: [], webauthn: { adminsRequirePhishingResistant } };
}

function request(over: Partial<Omit<AccessRequest, 'facts'>> & { facts?: Partial<SigninFacts>; roles?: string[]; uses?: MethodUse[] } = {}): AccessRequest {
  const facts: SigninFacts = {
    now: NOW,
    user: { id: 'u1', username: 'alice', kind: 'person', groups: [], roles: over.roles ?? [], registeredMethods: ['password', 'totp'] },
    app: 'mail', ip: '192.0.2.10', country: null, device: null, clientType: 'browser', signInRisk: 'none', userRisk: 'none',
    methodsUsed: over.uses ?? [{ method: 'password' }],
    ...over.facts,
  };
  return { via: over.via ?? 'signin', facts, active: over.active ?? true, requestedAcr: over.requestedAcr ?? [], authTime: over.authTime ?? null, lastActiveAt: over.lastActiveAt, recoveryHold: over.recoveryHold };
}

const MFA_FOR_MAIL = { name: 'MFA for mail', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mail'] } }, grant: { strength: 'mfa' } };
const BLOCK_MAIL = { name: 'No mail', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['mail'] } }, grant: { block: true } };

test('allow, step up to the missing strength, or block with the policy that blocks', () => {
  const mfa = config([MFA_FOR_MAIL]);
  const up = decideAccess(mfa, request());
  assert.equal(up.outcome.kind, 'step_up');
  assert.deepEqual(up.outcome.kind === 'step_up' && up.outcome.missing.map((s) => s.id), ['mfa']);
  assert.equal(decideAccess(mfa, request({ uses: [{ method: 'password' }, { method: 'totp' }] })).outcome.kind, 'allow');
  const blocked = decideAccess(config([BLOCK_MAIL]), request({ uses: [{ method: 'password' }, { method: 'totp' }] }));
  assert.deepEqual(blocked.outcome, { kind: 'block', refusal: 'policy_blocked', policy: { id: 'p0', name: 'No mail' } });
});

test('grant points that cannot ask for more refuse instead of stepping up', () => {
  const mfa = config([MFA_FOR_MAIL]);
  for (const via of ['refresh', 'client_credentials'] as GrantPoint[]) {
    const d = decideAccess(mfa, request({ via }));
    assert.equal(d.outcome.kind, 'block', via);
    assert.equal(d.outcome.kind === 'block' && d.outcome.refusal, 'strength_not_met');
  }
  for (const via of ['signin', 'session', 'radius', 'saml'] as GrantPoint[]) assert.equal(decideAccess(mfa, request({ via })).outcome.kind, 'step_up', via);
});

test('sign-in frequency: methods proven longer ago no longer count', () => {
  const frequent = config([{ ...MFA_FOR_MAIL, session: { signInFrequencyHours: 1 } }]);
  const uses = [{ method: 'password' }, { method: 'totp' }];
  const recent = new Date(NOW.getTime() - 30 * 60_000);
  const old = new Date(NOW.getTime() - 2 * 3600_000);
  assert.equal(decideAccess(frequent, request({ via: 'session', uses, authTime: recent })).outcome.kind, 'allow');
  const reuse = decideAccess(frequent, request({ via: 'session', uses, authTime: old }));
  assert.deepEqual(reuse.outcome.kind === 'step_up' && reuse.outcome.reauthenticate, true);
  const refresh = decideAccess(frequent, request({ via: 'refresh', uses, authTime: old }));
  assert.equal(refresh.outcome.kind === 'block' && refresh.outcome.refusal, 'sign_in_frequency');
  assert.equal(decideAccess(frequent, request({ via: 'signin', uses, authTime: null })).outcome.kind, 'allow', 'a sign-in in progress proves them now');
});

test('idle limit: a session unused longer than the shortest limit is asked again; no activity record, no limit', () => {
  const idle = config([{ ...MFA_FOR_MAIL, session: { idleMinutes: 15 } }, { ...MFA_FOR_MAIL, name: 'looser', session: { idleMinutes: 60 } }]);
  const uses = [{ method: 'password' }, { method: 'totp' }];
  const at = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
  assert.equal(decideAccess(idle, request({ via: 'session', uses, authTime: at(30), lastActiveAt: at(10) })).outcome.kind, 'allow');
  const paused = decideAccess(idle, request({ via: 'session', uses, authTime: at(30), lastActiveAt: at(20) }));
  assert.deepEqual(paused.outcome.kind === 'step_up' && paused.outcome.reauthenticate, true, 'the shortest limit (15 min) wins');
  assert.equal(paused.session.idleMinutes, 15);
  const refresh = decideAccess(idle, request({ via: 'refresh', uses, authTime: at(30), lastActiveAt: at(20) }));
  assert.equal(refresh.outcome.kind === 'block' && refresh.outcome.refusal, 'idle_limit');
  assert.equal(decideAccess(idle, request({ via: 'session', uses, authTime: at(30) })).outcome.kind, 'allow');
});

test('what must be reached: admins phishing-resistant (while the setting is on), acr_values, never lowered by the app', () => {
  const none = config([]);
  const admin = decideAccess(none, request({ roles: ['global_admin'], uses: [{ method: 'password' }, { method: 'totp' }] }));
  assert.deepEqual(admin.outcome.kind === 'step_up' && admin.outcome.missing.map((s) => s.id), ['phishing_resistant_mfa']);
  assert.equal(decideAccess(config([], false), request({ roles: ['global_admin'], uses: [{ method: 'password' }, { method: 'totp' }] })).outcome.kind, 'allow');
  const asked = decideAccess(none, request({ requestedAcr: ['urn:tessera:acr:pwd', 'urn:tessera:acr:mfa'] }));
  assert.deepEqual(asked.required.map((s) => s.id), ['mfa'], 'the strongest built-in asked for');
  assert.equal(decideAccess(none, request({ requestedAcr: ['urn:other'] })).outcome.kind, 'allow', 'unknown values are ignored');
  const lower = decideAccess(config([MFA_FOR_MAIL]), request({ requestedAcr: ['urn:tessera:acr:pwd'] }));
  assert.equal(lower.outcome.kind, 'step_up', 'an app cannot lower the bar');
  const unknown = decideAccess(config([{ ...MFA_FOR_MAIL, grant: { strength: 'retired-strength' } }]), request({ uses: [{ method: 'password' }, { method: 'totp' }] }));
  assert.equal(unknown.outcome.kind, 'step_up', 'a strength that no longer exists fails closed');
});

test('accounts: disabled, service accounts interactively, recovery hold', () => {
  const none = config([]);
  const gone = decideAccess(none, request({ active: false }));
  assert.equal(gone.outcome.kind === 'block' && gone.outcome.refusal, 'account_disabled');
  const service = request({ facts: { user: { id: 's', username: 'backup-job', kind: 'service', groups: [], roles: [], registeredMethods: ['password'] } } });
  const d = decideAccess(none, service);
  assert.equal(d.outcome.kind === 'block' && d.outcome.refusal, 'service_account_interactive');
  const held = request({ recoveryHold: true, facts: { user: { id: 'u', username: 'bob', kind: 'person', groups: [], roles: [], registeredMethods: ['password'] } } });
  const heldOut = decideAccess(none, held).outcome;
  assert.equal(heldOut.kind === 'block' && heldOut.refusal, 'recovery_hold');
  assert.equal(decideAccess(none, { ...held, facts: { ...held.facts, methodsUsed: [{ method: 'tap' }] } }).outcome.kind, 'allow', 'a pass gets in');
});

test('client credentials: only policies naming client type service apply to a service', () => {
  const service = request({
    via: 'client_credentials', uses: [],
    facts: { clientType: 'service', user: { id: 'client:mail', username: 'mail', kind: 'service', groups: [], roles: [], registeredMethods: [] } },
  });
  assert.equal(decideAccess(config([BLOCK_MAIL, MFA_FOR_MAIL]), service).outcome.kind, 'allow', 'policies for people do not reach machine access');
  const named = decideAccess(config([{ ...BLOCK_MAIL, conditions: { clientTypes: ['service'] } }]), service);
  assert.equal(named.outcome.kind === 'block' && named.outcome.refusal, 'policy_blocked');
  const strength = decideAccess(config([{ ...MFA_FOR_MAIL, conditions: { clientTypes: ['service'] } }]), service);
  assert.equal(strength.outcome.kind === 'block' && strength.outcome.refusal, 'strength_not_met', 'a service proves no factor');
});

test('report-only policies are reported and never change the outcome', () => {
  const d = decideAccess(config([{ ...BLOCK_MAIL, state: 'reportOnly' }]), request());
  assert.equal(d.outcome.kind, 'allow');
  assert.deepEqual(d.reportOnly, [{ policyId: 'p0', name: 'No mail', wouldBe: 'block' }]);
});
