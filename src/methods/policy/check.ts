import { auditedChange } from '../../audit/append.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import type { ChangeOptions } from '../context.ts';
import { MethodError } from '../errors.ts';
import type { MethodType } from '../method.ts';
import { defaultPolicy, methodPolicySchema, policyAllows, policyKey, POLICY_METHODS, type MethodPolicy } from './model.ts';

/** A method's policy (defaults fill in what is not stored). */
export async function getMethodPolicy(db: Db | Tx, method: MethodType): Promise<MethodPolicy> {
  const row = await db.selectFrom('method_settings').select('settings').where('method', '=', policyKey(method)).executeTakeFirst();
  const base = defaultPolicy(method);
  if (!row) return base;
  const parsed = methodPolicySchema.safeParse({ ...base, ...(JSON.parse(row.settings) as object) });
  return parsed.success ? parsed.data : base;
}

export async function getMethodsPolicy(db: Db | Tx): Promise<Record<string, MethodPolicy>> {
  const out: Record<string, MethodPolicy> = {};
  for (const m of POLICY_METHODS) out[m] = await getMethodPolicy(db, m);
  return out;
}

/** Changes a method's policy; audited 'method.policy.update' with before and after. */
export async function setMethodPolicy(store: Store, method: MethodType, patch: Partial<MethodPolicy>, options: ChangeOptions): Promise<MethodPolicy> {
  if (!(POLICY_METHODS as readonly string[]).includes(method)) throw new MethodError('invalid_settings', `${method} is not governed by the methods policy`);
  return auditedChange(store, async (trx, record) => {
    const before = await getMethodPolicy(trx, method);
    const merged = methodPolicySchema.safeParse({ ...before, ...patch });
    if (!merged.success) {
      const issue = merged.error.issues[0];
      throw new MethodError('invalid_settings', `${issue?.path.join('.') || method}: ${issue?.message ?? 'invalid'}`);
    }
    const after = merged.data;
    const now = (options.now ?? new Date()).toISOString();
    const values = { method: policyKey(method), settings: JSON.stringify(after), updated_at: now, updated_by: options.actor };
    const exists = await trx.selectFrom('method_settings').select('method').where('method', '=', values.method).executeTakeFirst();
    if (exists) await trx.updateTable('method_settings').set(values).where('method', '=', values.method).execute();
    else await trx.insertInto('method_settings').values(values).execute();
    await record({ actor: options.actor, action: 'method.policy.update', target: `method:${method}`, requestId: options.requestId, before, after });
    return after;
  });
}

/** Whether the methods policy lets this user register and use the method, with the reason when not. */
export async function methodAllowedFor(db: Db | Tx, method: MethodType, userId: string): Promise<{ allowed: true } | { allowed: false; reason: string }> {
  const policy = await getMethodPolicy(db, method);
  const roles = await db.selectFrom('role_assignments').select('role').where('user_id', '=', userId).execute();
  const groups = await db
    .selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name']).where('group_members.user_id', '=', userId).execute();
  return policyAllows(policy, { isAdmin: roles.length > 0, groups: groups.flatMap((g) => [g.id, g.name]) });
}

export async function methodUsable(db: Db | Tx, method: MethodType, userId: string): Promise<boolean> {
  return (await methodAllowedFor(db, method, userId)).allowed;
}
