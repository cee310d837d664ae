import { z } from 'zod';
import { METHOD_TYPES, type MethodType } from '../method.ts';

/**
 * The methods policy, per method: whether it is enabled, for which groups
 * (include / exclude, by group id or name), and whether administrators may
 * use it. Stored in method_settings under "policy.<method>", beside the
 * method's own settings (TOTP digits, push limits, WebAuthn attestation).
 */
export const methodPolicySchema = z.object({
  enabled: z.boolean().default(true),
  /** Empty: everybody. Otherwise only members of these groups. */
  includeGroups: z.array(z.string().min(1).max(128)).max(100).default([]),
  /** Members of these groups may not use the method, whatever includeGroups says. */
  excludeGroups: z.array(z.string().min(1).max(128)).max(100).default([]),
  /** Administrators (anyone holding a role) may use it. Restricted methods default to no. */
  allowAdmins: z.boolean().default(true),
});
export type MethodPolicy = z.output<typeof methodPolicySchema>;

/** Methods the policy governs (the password is always there; a TAP has its own policy). */
export const POLICY_METHODS = METHOD_TYPES.filter((m) => m !== 'password' && m !== 'tap');

export function policyKey(method: MethodType): string {
  return `policy.${method}`;
}

/** The defaults when nothing is stored: restricted methods (SMS, voice) are never for admins. */
export function defaultPolicy(method: MethodType): MethodPolicy {
  const base = methodPolicySchema.parse({});
  return method === 'sms' || method === 'voice' ? { ...base, allowAdmins: false } : base;
}

export interface PolicySubject {
  isAdmin: boolean;
  /** Ids and names of the user's groups. */
  groups: readonly string[];
}

/** Pure: may this person register and use the method? With the reason when not. */
export function policyAllows(policy: MethodPolicy, who: PolicySubject): { allowed: true } | { allowed: false; reason: string } {
  if (!policy.enabled) return { allowed: false, reason: 'the method is turned off by your organisation' };
  const inGroup = (list: readonly string[]) => list.some((g) => who.groups.includes(g));
  if (inGroup(policy.excludeGroups)) return { allowed: false, reason: 'the method is not allowed for your group' };
  if (policy.includeGroups.length && !inGroup(policy.includeGroups)) return { allowed: false, reason: 'the method is not enabled for your group' };
  if (who.isAdmin && !policy.allowAdmins) return { allowed: false, reason: 'administrators must use stronger methods' };
  return { allowed: true };
}
