import type { Operation } from './operation.ts';
import { userOperations } from './users.ts';
import { factorLockOperations } from './factor-locks.ts';
import { userMethodOperations } from './user-methods.ts';
import { groupOperations } from './groups.ts';
import { roleOperations } from './roles.ts';
import { deviceOperations } from './devices.ts';
import { tokenOperations } from './tokens.ts';
import { auditOperations } from './audit.ts';
import { signinOperations } from './signins.ts';
import { tapOperations } from './tap.ts';
import { caseOperations } from './cases.ts';
import { alertOperations } from './alerts.ts';
import { deliveryOperations } from './deliveries.ts';
import { postureOperations } from './posture.ts';
import { breakGlassOperations } from './breakglass.ts';
import { deviceLifecycleOperations } from './device-lifecycle.ts';
import { policyOperations } from './policies.ts';
import { whatIfOperations } from './whatif.ts';
import { exceptionOperations } from './exceptions.ts';
import { downgradeOperations } from './downgrades.ts';
import { mdmOperations } from './mdm.ts';
import { rolloutOperations } from './rollout.ts';
import { strengthOperations } from './strengths.ts';
import { methodsPolicyOperations } from './methods-policy.ts';
import { samlOperations } from './saml.ts';
import { radiusOperations } from './radius.ts';
import { directorySourceOperations } from './directory-sources.ts';
import { overviewOperations } from './overview.ts';
import { userSessionOperations } from './user-sessions.ts';
import { policyImpactOperations } from './policy-impact.ts';
import { evidenceOperations } from './evidence.ts';

/** Every admin API operation, in the order the OpenAPI document lists them. */
export const ADMIN_OPERATIONS: readonly Operation[] = [
  ...overviewOperations,
  ...userOperations,
  ...factorLockOperations,
  ...userMethodOperations,
  ...userSessionOperations,
  ...groupOperations,
  ...roleOperations,
  ...deviceOperations,
  ...tokenOperations,
  ...auditOperations,
  ...signinOperations,
  ...tapOperations,
  ...caseOperations,
  ...alertOperations,
  ...deliveryOperations,
  ...postureOperations,
  ...evidenceOperations,
  ...breakGlassOperations,
  ...deviceLifecycleOperations,
  ...policyOperations,
  ...whatIfOperations,
  ...policyImpactOperations,
  ...exceptionOperations,
  ...downgradeOperations,
  ...mdmOperations,
  ...rolloutOperations,
  ...strengthOperations,
  ...methodsPolicyOperations,
  ...samlOperations,
  ...radiusOperations,
  ...directorySourceOperations,
];
