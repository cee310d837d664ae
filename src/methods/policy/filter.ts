import type { Db, Tx } from '../../store/store.ts';
import type { UserCredential } from '../list.ts';
import type { MethodType } from '../method.ts';
import { defaultPolicy, methodPolicySchema, policyAllows, policyKey, POLICY_METHODS, type MethodPolicy, type PolicySubject } from './model.ts';

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

/** A stored methods-policy row: method_settings' key ("policy.<method>") and its JSON. */
export interface MethodPolicyRow {
  method: string;
  settings: string;
}

/** Which of these method types the methods policy lets this user sign in with, as a test. */
export async function allowedByMethodsPolicy(db: Db | Tx, userId: string, methodTypes: readonly string[]): Promise<(type: string) => boolean> {
  const types = [...new Set(methodTypes)].filter(governed);
  if (!types.length) return () => true;
  const rows = await db.selectFrom('method_settings').select(['method', 'settings']).where('method', 'in', types.map(policyKey)).execute();
  const policies = policiesFrom(rows, types);
  if (isOpen(policies)) return () => true;
  const roles = await db.selectFrom('role_assignments').select('role').where('user_id', '=', userId).execute();
  const groups = await db
    .selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['groups.id', 'groups.name']).where('group_members.user_id', '=', userId).execute();
  return allowedFor(policies, { isAdmin: roles.length > 0, groups: groups.flatMap((g) => [g.id, g.name]) });
}

/**
 * The same test when the caller has already read the policy rows and the
 * person's roles and groups (ids and names) in its own query.
 */
export function allowedGiven(rows: readonly MethodPolicyRow[], methodTypes: readonly string[], who: PolicySubject): (type: string) => boolean {
  const types = [...new Set(methodTypes)].filter(governed);
  const policies = policiesFrom(rows, types);
  return isOpen(policies) ? () => true : allowedFor(policies, who);
}

/** The keys under which method_settings keeps the methods policy. */
export const METHOD_POLICY_KEYS: readonly string[] = POLICY_METHODS.map(policyKey);

function policiesFrom(rows: readonly MethodPolicyRow[], types: readonly MethodType[]): Map<MethodType, MethodPolicy> {
  return new Map(types.map((t) => {
    const row = rows.find((r) => r.method === policyKey(t));
    const parsed = row ? methodPolicySchema.safeParse({ ...defaultPolicy(t), ...(JSON.parse(row.settings) as object) }) : null;
    return [t, parsed?.success ? parsed.data : defaultPolicy(t)] as const;
  }));
}

const isOpen = (policies: Map<MethodType, MethodPolicy>) =>
  [...policies.values()].every((p) => p.enabled && p.allowAdmins && !p.includeGroups.length && !p.excludeGroups.length);

function allowedFor(policies: Map<MethodType, MethodPolicy>, who: PolicySubject): (type: string) => boolean {
  const allowed = new Map([...policies].map(([t, p]) => [t, policyAllows(p, who).allowed]));
  return (type) => !governed(type) || allowed.get(type) !== false;
}
