import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSync, type OwnedPerson, type PlanInput } from './plan.ts';

const DAY = 86_400_000;
const now = new Date('2026-06-01T12:00:00Z');
const person = (username: string, extra: Partial<{ disabled: boolean; email: string }> = {}) => ({
  dn: `uid=${username},ou=people`, username, email: extra.email ?? `${username}@x.example`, displayName: username, disabled: extra.disabled ?? false,
});
const owned = (username: string, extra: Partial<OwnedPerson> = {}): OwnedPerson => ({
  userId: `id-${username}`, username, email: `${username}@x.example`, displayName: username, status: 'active', dn: `uid=${username},ou=people`,
  missingSince: null, offboardedAt: null, ...extra,
});
const input = (p: Partial<PlanInput>): PlanInput => ({
  snapshot: { people: [], groups: [] }, people: [], groups: [], takenUsernames: new Set(), takenGroupNames: new Set(), localUsernames: new Set(), localGroupNames: new Set(), localGroupMembers: new Map(), adoptLocal: false, now, offboardAfterDays: 30, ...p,
});

test('a name held by a local account (or another source) is skipped, never taken over', () => {
  const changes = planSync(input({ snapshot: { people: [person('Alice')], groups: [] }, takenUsernames: new Set(['alice']) }));
  assert.deepEqual(changes.map((c) => c.kind), ['skip']);
});

test('a person back in the directory before offboarding is marked back and enabled', () => {
  const changes = planSync(input({ snapshot: { people: [person('bob')], groups: [] }, people: [owned('bob', { status: 'disabled', missingSince: new Date(now.getTime() - DAY).toISOString() })] }));
  assert.deepEqual(changes.map((c) => c.kind), ['returned', 'enable']);
});

test('the grace period counts from when the person went missing', () => {
  const since = (days: number) => owned('carol', { status: 'disabled', missingSince: new Date(now.getTime() - days * DAY).toISOString() });
  assert.deepEqual(planSync(input({ people: [since(29)] })), []);
  assert.deepEqual(planSync(input({ people: [since(30)] })).map((c) => c.kind), ['offboard']);
  assert.deepEqual(planSync(input({ people: [{ ...since(90), offboardedAt: now.toISOString() }] })), [], 'once');
});

test('group names Tessera cannot hold are skipped; a group gone from the directory is emptied', () => {
  const changes = planSync(input({
    snapshot: { people: [person('dan')], groups: [{ dn: 'cn=x', name: 'Sales;EMEA', memberDns: [] }] },
    people: [owned('dan')],
    groups: [{ groupId: 'g1', name: 'old', dn: 'cn=old', members: ['dan'] }],
  }));
  assert.deepEqual(changes.map((c) => [c.kind, 'name' in c ? c.name : 'group' in c ? c.group : '']), [['skip', 'Sales;EMEA'], ['member_remove', 'old']]);
});
