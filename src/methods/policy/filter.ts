import type { Db, Tx } from '../../store/store.ts';
import type { UserCredential } from '../list.ts';
import type { MethodType } from '../method.ts';
import { defaultPolicy, methodPolicySchema, policyAllows, policyKey, POLICY_METHODS } from './model.ts';

const governed = (t: string): t is MethodType => (POLICY_METHODS as readonly string[]).includes(t);

/**
 * Leaves out credentials of methods the methods policy does not allow for the
 * user: they cannot sign in and do not count as registered factors. One query
 * for the policies; the user's roles and groups only when a policy could refuse.
 */
export async function filterByMethodsPolicy(db: Db | Tx, userId: string, creds: UserCredential[]): Promise<UserCredential[]> {
  const allowed = await allowedByMethodsPolicy(db, userId, creds.map((c) => c.type));
  return creds.filter((c) => allowed(c.type));
}

/** Which of these method types the methods policy lets this user sign in with, as a test. */
export async function allowedByMethodsPolicy(db: Db | Tx, userId: string, methodTypes: readonly string[]): Promise<(type: string) => boolean> {
  const types = [...new Set(methodTypes)].filter(governed);
  const everything = () => true;
  if (!types.length) return everything;
  const rows = await db.selectFrom('method_settings').select(['method', 'settings']).where('method', 'in', types.map(policyKey)).execute();
  const policies = new Map(types.map((t) => {
    const row = rows.find((r) => r.method === policyKey(t));
    const parsed = row ? methodPolicySchema.safeParse({ ...defaultPolicy(t), ...(JSON.parse(row.settings) as object) }) : null;
    return [t, parsed?.success ? parsed.data : defaultPolicy(t)] as const;
  }));
  const open = [...policies.values()].every((p) => p.enabled && p.allowAdmins && !p.includeGroups.length && !p.excludeGroups.length);
  if (open) return everything;
  const roles = await db.selectFrom('role_assignments').select('role').where('user_id', '=', userId).execute();
  const groups = await db
    .selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name']).where('group_members.user_id', '=', userId).execute();
  const who = { isAdmin: roles.length > 0, groups: groups.flatMap((g) => [g.id, g.name]) };
  const allowed = new Map([...policies].map(([t, p]) => [t, policyAllows(p, who).allowed]));
  return (type) => !governed(type) || allowed.get(type) !== false;
}
