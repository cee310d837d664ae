import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { InvalidInputError, type ChangedBy } from '../../directory/errors.ts';
import type { TapPolicyTable } from '../tables.ts';

/**
 * The bounds every Temporary Access Pass is issued within, kept in its own
 * one-row table and changed only through setTapPolicy (audited). Until an
 * admin changes it, the defaults below apply.
 */
export const TAP_LIMITS = {
  /** The tightest and widest bounds an admin may set. */
  minLifetimeMinutes: 10,
  maxLifetimeMinutes: 30 * 24 * 60,
  minLength: 8,
  maxLength: 48,
} as const;

export interface TapPolicy {
  defaultLifetimeMinutes: number;
  minLifetimeMinutes: number;
  maxLifetimeMinutes: number;
  defaultLength: number;
  /** Off by default: a pass works once. When on, an issuer may ask for one that works until it expires. */
  allowMultiUse: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export const DEFAULT_TAP_POLICY: TapPolicy = Object.freeze({
  defaultLifetimeMinutes: 60,
  minLifetimeMinutes: 10,
  maxLifetimeMinutes: 8 * 60,
  defaultLength: 12,
  allowMultiUse: false,
  updatedAt: null,
  updatedBy: null,
});

const minutes = z.number().int().min(TAP_LIMITS.minLifetimeMinutes, `must be at least ${TAP_LIMITS.minLifetimeMinutes} minutes`)
  .max(TAP_LIMITS.maxLifetimeMinutes, 'must be at most 30 days (43200 minutes)');

export const tapPolicyPatchSchema = z.strictObject({
  defaultLifetimeMinutes: minutes.optional(),
  minLifetimeMinutes: minutes.optional(),
  maxLifetimeMinutes: minutes.optional(),
  defaultLength: z.number().int().min(TAP_LIMITS.minLength).max(TAP_LIMITS.maxLength).optional(),
  allowMultiUse: z.boolean().optional(),
});
export type TapPolicyPatch = z.input<typeof tapPolicyPatchSchema>;

const POLICY_ID = 'default';

function fromRow(r: TapPolicyTable): TapPolicy {
  return {
    defaultLifetimeMinutes: Number(r.default_lifetime_minutes),
    minLifetimeMinutes: Number(r.min_lifetime_minutes),
    maxLifetimeMinutes: Number(r.max_lifetime_minutes),
    defaultLength: Number(r.default_length),
    allowMultiUse: Number(r.allow_multi_use) === 1,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export async function loadTapPolicy(db: Db | Tx): Promise<TapPolicy> {
  const row = await db.selectFrom('tap_policy').selectAll().where('id', '=', POLICY_ID).executeTakeFirst();
  return row ? fromRow(row) : { ...DEFAULT_TAP_POLICY };
}

/** Why these bounds do not hang together, or null when they do. */
export function policyProblem(p: Pick<TapPolicy, 'defaultLifetimeMinutes' | 'minLifetimeMinutes' | 'maxLifetimeMinutes'>): string | null {
  if (p.minLifetimeMinutes > p.maxLifetimeMinutes) return 'the minimum lifetime is longer than the maximum';
  if (p.defaultLifetimeMinutes < p.minLifetimeMinutes || p.defaultLifetimeMinutes > p.maxLifetimeMinutes) {
    return `the default lifetime must lie between the minimum (${p.minLifetimeMinutes} min) and the maximum (${p.maxLifetimeMinutes} min)`;
  }
  return null;
}

/** Changes the TAP policy. Audited 'tap.policy.update'; an unchanged patch writes nothing. */
export async function setTapPolicy(store: Store, patch: TapPolicyPatch, by: ChangedBy): Promise<TapPolicy> {
  const p = tapPolicyPatchSchema.parse(patch);
  return auditedChange(store, async (trx, record) => {
    const before = await loadTapPolicy(trx);
    const next = { ...before, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as TapPolicy;
    const problem = policyProblem(next);
    if (problem) throw new InvalidInputError(problem);
    const same = (['defaultLifetimeMinutes', 'minLifetimeMinutes', 'maxLifetimeMinutes', 'defaultLength', 'allowMultiUse'] as const)
      .every((k) => next[k] === before[k]);
    if (same && before.updatedAt) return before;
    const now = new Date().toISOString();
    const row: TapPolicyTable = {
      id: POLICY_ID,
      default_lifetime_minutes: next.defaultLifetimeMinutes,
      min_lifetime_minutes: next.minLifetimeMinutes,
      max_lifetime_minutes: next.maxLifetimeMinutes,
      default_length: next.defaultLength,
      allow_multi_use: next.allowMultiUse ? 1 : 0,
      updated_at: now,
      updated_by: by.actor,
    };
    await trx.deleteFrom('tap_policy').where('id', '=', POLICY_ID).execute();
    await trx.insertInto('tap_policy').values(row).execute();
    const after = fromRow(row);
    await record({ actor: by.actor, action: 'tap.policy.update', target: 'tap_policy', requestId: by.requestId, before, after });
    return after;
  });
}
