import { ROLES } from '../directory/roles.ts';
import { policyDocumentSchema, SECOND_FACTOR_METHODS, type PolicyDocument } from './document.ts';

/**
 * The policies a fresh installation starts with, seeded by the first policy
 * migration. Together they behave as Tessera did before policies existed:
 * everyone holding an administrative role needs MFA (an admin without a second
 * factor registers one inside the sign-in), and so does every user who has
 * registered a second factor, so that registering one is never a downgrade.
 * Users with a password only still sign in with it until a roll-out stage
 * enforces MFA for them.
 */
export const DEFAULT_POLICY_IDS = {
  adminsMfa: '5e0c3f0e-7a35-4c1b-9d0e-0a1d2b3c4d01',
  registeredMfa: '5e0c3f0e-7a35-4c1b-9d0e-0a1d2b3c4d02',
} as const;

export function defaultPolicies(): Array<{ id: string; document: PolicyDocument }> {
  return [
    {
      id: DEFAULT_POLICY_IDS.adminsMfa,
      document: policyDocumentSchema.parse({
        name: 'Require MFA for admins',
        description: 'Built-in safety: every holder of an administrative role proves a second factor, on every app. '
          + 'An admin without one registers one inside the sign-in.',
        state: 'enabled',
        assignments: { roles: { include: [...ROLES] }, apps: { include: 'all' } },
        grant: { strength: 'mfa' },
      }),
    },
    {
      id: DEFAULT_POLICY_IDS.registeredMfa,
      document: policyDocumentSchema.parse({
        name: 'Require MFA for users with a second factor',
        description: 'Whoever has registered a second factor is always asked for it, so registering one never makes an account weaker.',
        state: 'enabled',
        assignments: { users: { include: 'all' }, apps: { include: 'all' } },
        conditions: { registeredMethods: { anyOf: SECOND_FACTOR_METHODS.filter((m) => m !== 'tap') } },
        grant: { strength: 'mfa' },
      }),
    },
  ];
}

/** The MFA policy a roll-out stage owns: report-only until the stage's enforcement date. */
export function stagePolicyDocument(input: {
  stageName: string;
  groups?: string[];
  roles?: string[];
  strength: string;
  enforceFrom: string;
}): PolicyDocument {
  return policyDocumentSchema.parse({
    name: `Roll-out: ${input.stageName}`,
    description: `MFA for roll-out stage "${input.stageName}"; report-only until ${input.enforceFrom}.`,
    state: 'enabled',
    enforceFrom: input.enforceFrom,
    assignments: { groups: { include: input.groups ?? [] }, roles: { include: input.roles ?? [] }, apps: { include: 'all' } },
    grant: { strength: input.strength },
  });
}
