import type { StoredPolicy } from '../../policy/model.ts';

/**
 * Whether one policy makes MFA a must for everybody signing in to this app,
 * whatever the circumstances: enforced now, aimed at all users with no role
 * left out, the app included and not excluded, no condition that narrows when
 * it applies, and a grant that asks for an authentication strength. Narrower
 * policies protect someone, but not the app; exceptions are their own row.
 */
export function policyRequiresMfaFor(policy: StoredPolicy, appId: string, now: Date, weakStrengths: readonly string[] = []): boolean {
  const d = policy.document;
  if (d.state !== 'enabled') return false;
  if (d.enforceFrom && new Date(d.enforceFrom) > now) return false;
  const a = d.assignments;
  if (a.users.include !== 'all' || a.roles.exclude.length > 0) return false;
  const included = a.apps.include === 'all' || a.apps.include.includes(appId);
  if (!included || a.apps.exclude.includes(appId)) return false;
  const c = d.conditions;
  const everywhere = !c.locations || (c.locations.include === 'all' && c.locations.exclude.length === 0);
  if (!everywhere || c.clientTypes || c.device || c.signInRisk || c.userRisk || c.registeredMethods) return false;
  if (!d.grant || !('strength' in d.grant) || !d.grant.strength) return false;
  // A custom strength one of whose combinations is a single kind of factor is not MFA.
  if (weakStrengths.includes(d.grant.strength)) return false;
  // "any" with a compliant device lets a managed device stand in for the second factor.
  return d.grant.operator !== 'any' || !d.grant.compliantDevice;
}

export function appRequiresMfa(policies: readonly StoredPolicy[], appId: string, now: Date, weakStrengths: readonly string[] = []): boolean {
  return policies.some((p) => policyRequiresMfaFor(p, appId, now, weakStrengths));
}
