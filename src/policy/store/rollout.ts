import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange, type RecordAudit } from '../../audit/append.ts';
import { ConflictError, InvalidInputError, NotFoundError, type ChangedBy } from '../../directory/errors.ts';
import { isRole, ROLES } from '../../directory/roles.ts';
import { listUserMethods } from '../../methods/list.ts';
import { stagePolicyDocument } from '../defaults.ts';
import type { PolicyDocument } from '../document.ts';
import { loadActiveStrengths } from './strengths-source.ts';
import { strengthReached, topStrength } from './coverage.ts';
import type { RolloutStagesTable } from './tables.ts';
import { guardLockout } from './lockout-gate.ts';
import { guardDowngrade } from './downgrade-gate.ts';
import { downgradeNote, loadPolicySet, validateReferences, withPolicy, writePolicy, type ChangeOptions } from './policies.ts';
import type { DowngradeReport } from '../downgrade.ts';

/**
 * Staged roll-out: ordered stages (by default admins, then a pilot group, then
 * departments), each with its people (groups and/or roles), a registration
 * campaign (after a normal sign-in, a prompt to register the preferred method,
 * snoozable a few times, then required) and an enforcement date before which
 * the stage's own MFA policy only reports. Coverage per stage says how far
 * registration has come.
 */
export const stageInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  groups: z.array(z.string().min(1).max(128)).max(50).default([]),
  roles: z.array(z.string().min(1).max(64)).max(10).default([]),
  strength: z.string().min(1).max(64).default('mfa'),
  preferredMethod: z.enum(['totp', 'webauthn']).default('totp'),
  snoozeLimit: z.number().int().min(0).max(20).default(3),
  campaignFrom: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
  enforceAt: z.iso.datetime({ offset: true }),
}).refine((s) => s.groups.length + s.roles.length > 0, 'a stage needs at least one group or role');
export type StageInput = z.input<typeof stageInputSchema>;

export interface Stage {
  id: string;
  position: number;
  name: string;
  groups: string[];
  roles: string[];
  strength: string;
  preferredMethod: string;
  snoozeLimit: number;
  campaignFrom: string;
  enforceAt: string;
  policyId: string;
}

export interface StageCoverage extends Stage {
  /** Active people in the stage. */
  total: number;
  /** Of them, registered a method that (with their password) reaches the stage's strength. */
  registered: number;
  /** People by the strongest standard strength their registered methods reach. */
  byStrength: Record<string, number>;
  /** People with each method registered. */
  byMethod: Record<string, number>;
  /** Before the enforcement date the stage's policy only reports. */
  enforced: boolean;
}

export function toStage(r: RolloutStagesTable): Stage {
  return {
    id: r.id, position: Number(r.position), name: r.name, groups: JSON.parse(r.groups) as string[], roles: JSON.parse(r.roles) as string[],
    strength: r.strength, preferredMethod: r.preferred_method, snoozeLimit: Number(r.snooze_limit), campaignFrom: r.campaign_from,
    enforceAt: r.enforce_at, policyId: r.policy_id,
  };
}

export async function listStages(db: Db | Tx): Promise<Stage[]> {
  return (await db.selectFrom('rollout_stages').selectAll().orderBy('position').execute()).map(toStage);
}

export async function getStage(db: Db | Tx, ref: string): Promise<Stage> {
  const row = await db.selectFrom('rollout_stages').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).executeTakeFirst();
  if (!row) throw new NotFoundError(`no roll-out stage ${ref}`);
  return toStage(row);
}

/** Active members of a stage: in one of its groups or holding one of its roles. */
export async function stageMembers(db: Db | Tx, stage: Pick<Stage, 'groups' | 'roles'>): Promise<Array<{ id: string; username: string }>> {
  const out = new Map<string, { id: string; username: string }>();
  if (stage.groups.length) {
    const rows = await db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .select(['users.id', 'users.username'])
      .where('groups.name_key', 'in', stage.groups.map((g) => g.normalize('NFKC').toLowerCase()))
      .where('users.status', '=', 'active')
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  if (stage.roles.length) {
    const rows = await db
      .selectFrom('role_assignments')
      .innerJoin('users', 'users.id', 'role_assignments.user_id')
      .select(['users.id', 'users.username'])
      .where('role_assignments.role', 'in', stage.roles)
      .where('users.status', '=', 'active')
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  return [...out.values()];
}

export async function stageCoverage(db: Db | Tx, stage: Stage, now = new Date()): Promise<StageCoverage> {
  const strengths = await loadActiveStrengths(db);
  const members = await stageMembers(db, stage);
  const byMethod: Record<string, number> = {};
  const byStrength: Record<string, number> = {};
  let registered = 0;
  for (const m of members) {
    const methods = [...new Set((await listUserMethods(db, m.id)).map((c) => c.type))];
    for (const t of methods) byMethod[t] = (byMethod[t] ?? 0) + 1;
    const top = topStrength(methods, strengths);
    byStrength[top] = (byStrength[top] ?? 0) + 1;
    if (strengthReached(methods, strengths, stage.strength)) registered++;
  }
  return { ...stage, total: members.length, registered, byMethod, byStrength, enforced: now.toISOString() >= stage.enforceAt };
}

function stagePolicy(s: { name: string; groups: string[]; roles: string[]; strength: string; enforceAt: string }): PolicyDocument {
  return stagePolicyDocument({ stageName: s.name, groups: s.groups, roles: s.roles, strength: s.strength, enforceFrom: s.enforceAt });
}

/** Adds a stage at the end, with its MFA policy (report-only until the enforcement date). */
export async function addStage(store: Store, input: StageInput, by: ChangedBy, options: ChangeOptions = {}): Promise<Stage> {
  const s = stageInputSchema.parse(input);
  for (const r of s.roles) if (!isRole(r)) throw new InvalidInputError(`no role ${r}`);
  const now = options.now ?? new Date();
  return auditedChange(store, async (trx, record) => {
    if (await trx.selectFrom('rollout_stages').select('id').where('name', '=', s.name).executeTakeFirst()) throw new ConflictError(`roll-out stage ${s.name} exists`);
    const doc = stagePolicy(s);
    const current = await loadPolicySet(trx, now);
    await validateReferences(trx, doc, current.namedLocations);
    const policyId = randomUUID();
    await guardLockout(trx, current, withPolicy(current, policyId, doc), options.confirmLockout, now);
    await writePolicy(trx, { ...doc, id: policyId }, by, 'rollout', now.toISOString());
    const last = await trx.selectFrom('rollout_stages').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
    const row: RolloutStagesTable = {
      id: randomUUID(), position: Number(last?.p ?? 0) + 1, name: s.name, groups: JSON.stringify(s.groups), roles: JSON.stringify(s.roles),
      strength: s.strength, preferred_method: s.preferredMethod, snooze_limit: s.snoozeLimit, campaign_from: s.campaignFrom ?? now.toISOString(),
      enforce_at: new Date(s.enforceAt).toISOString(), policy_id: policyId, created_at: now.toISOString(), updated_at: now.toISOString(),
    };
    await trx.insertInto('rollout_stages').values(row).execute();
    const stage = toStage(row);
    await record({ actor: by.actor, action: 'rollout.stage.add', target: `rollout:${stage.id}`, requestId: by.requestId, after: stage });
    return stage;
  });
}

/**
 * Moves a stage's enforcement date (and its policy's), with the lockout check;
 * moving an enforced stage back to reporting is a downgrade (a second administrator approves it).
 */
export async function setStageEnforcement(store: Store, ref: string, enforceAt: string, by: ChangedBy, options: ChangeOptions = {}): Promise<Stage> {
  return auditedChange(store, async (trx, record) => (await setStageEnforcementIn(trx, record, ref, enforceAt, by, options)).value);
}

/** setStageEnforcement inside the caller's audited transaction. */
export async function setStageEnforcementIn(
  trx: Tx, record: RecordAudit, ref: string, enforceAt: string, by: ChangedBy, options: ChangeOptions = {},
): Promise<{ value: Stage; downgrade: DowngradeReport }> {
  const at = new Date(enforceAt);
  if (Number.isNaN(at.getTime())) throw new InvalidInputError(`${enforceAt} is not a date`);
  const now = options.now ?? new Date();
  const before = await getStage(trx, ref);
  const after = { ...before, enforceAt: at.toISOString() };
  const doc = stagePolicy(after);
  const current = await loadPolicySet(trx, now);
  const proposed = withPolicy(current, before.policyId, doc);
  await guardLockout(trx, current, proposed, options.confirmLockout, now);
  const down = await guardDowngrade(trx, current, proposed, options.downgrade, now);
  await writePolicy(trx, { ...doc, id: before.policyId }, by, 'rollout', now.toISOString());
  await trx.updateTable('rollout_stages').set({ enforce_at: after.enforceAt, updated_at: now.toISOString() }).where('id', '=', before.id).execute();
  await record({ actor: by.actor, action: 'rollout.stage.enforce', target: `rollout:${before.id}`, requestId: by.requestId, before, after: { ...after, downgrade: downgradeNote(down) } });
  return { value: after, downgrade: down.report };
}

/** Removes a stage and its policy; when the stage is enforced that is a downgrade (a second administrator approves it). */
export async function removeStage(store: Store, ref: string, by: ChangedBy, options: Pick<ChangeOptions, 'downgrade' | 'now'> = {}): Promise<Stage> {
  return auditedChange(store, async (trx, record) => (await removeStageIn(trx, record, ref, by, options)).value);
}

/** removeStage inside the caller's audited transaction. */
export async function removeStageIn(
  trx: Tx, record: RecordAudit, ref: string, by: ChangedBy, options: Pick<ChangeOptions, 'downgrade' | 'now'> = {},
): Promise<{ value: Stage; downgrade: DowngradeReport }> {
  const now = options.now ?? new Date();
  const stage = await getStage(trx, ref);
  const current = await loadPolicySet(trx, now);
  const down = await guardDowngrade(trx, current, withPolicy(current, stage.policyId, null), options.downgrade, now);
  await trx.deleteFrom('rollout_campaign').where('stage_id', '=', stage.id).execute();
  await trx.deleteFrom('rollout_stages').where('id', '=', stage.id).execute();
  await trx.deleteFrom('policy_exceptions').where('policy_id', '=', stage.policyId).execute();
  await trx.deleteFrom('ca_policies').where('id', '=', stage.policyId).execute();
  await record({ actor: by.actor, action: 'rollout.stage.remove', target: `rollout:${stage.id}`, requestId: by.requestId, before: stage, after: { downgrade: downgradeNote(down) } });
  return { value: stage, downgrade: down.report };
}

export const templateSchema = z.strictObject({
  pilotGroup: z.string().min(1).max(128),
  departments: z.array(z.string().min(1).max(128)).max(50).default([]),
  start: z.iso.datetime({ offset: true }).optional().describe('When the admins stage enforces (default: in 7 days)'),
  intervalDays: z.number().int().min(1).max(180).default(14),
  strength: z.string().min(1).max(64).default('mfa'),
  preferredMethod: z.enum(['totp', 'webauthn']).default('totp'),
  snoozeLimit: z.number().int().min(0).max(20).default(3),
});

/**
 * The default roll-out order from the field: administrators first, then a pilot
 * group, then department after department, each enforced `intervalDays` after
 * the one before; every campaign starts now.
 */
export async function applyTemplate(store: Store, input: z.input<typeof templateSchema>, by: ChangedBy, options: ChangeOptions = {}): Promise<Stage[]> {
  const t = templateSchema.parse(input);
  const now = options.now ?? new Date();
  const first = t.start ? new Date(t.start).getTime() : now.getTime() + 7 * 86_400_000;
  const at = (i: number) => new Date(first + i * t.intervalDays * 86_400_000).toISOString();
  const common = { strength: t.strength, preferredMethod: t.preferredMethod, snoozeLimit: t.snoozeLimit, campaignFrom: now.toISOString() };
  const inputs: StageInput[] = [
    { name: 'Admins', roles: [...ROLES], enforceAt: at(0), ...common },
    { name: 'Pilot', groups: [t.pilotGroup], enforceAt: at(1), ...common },
    ...t.departments.map((d, i) => ({ name: d, groups: [d], enforceAt: at(i + 2), ...common })),
  ];
  const out: Stage[] = [];
  for (const s of inputs) out.push(await addStage(store, s, by, options));
  return out;
}
