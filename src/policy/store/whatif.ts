import { z } from 'zod';
import type { Db, Tx } from '../../store/store.ts';
import { resolveUser } from '../../directory/users.ts';
import { CLIENT_TYPES, PORTAL_APP, RISK_LEVELS } from '../document.ts';
import { evaluatePolicies, reportOnlyEntries } from '../evaluate.ts';
import type { Decision, ReportOnlyEntry, SigninFacts } from '../model.ts';
import { loadActiveStrengths } from './strengths-source.ts';
import { gatherFacts } from './facts.ts';
import { loadPolicySet } from './policies.ts';

/**
 * What if this person signed in to this app, from this address and device,
 * with this client and risk? The same evaluation as a real sign-in, on the
 * policies as stored, with every policy's reason.
 */
export const whatIfSchema = z.strictObject({
  user: z.string().min(1).max(128).describe('Username or id'),
  app: z.string().min(1).max(128).optional().describe(`OIDC client id; ${PORTAL_APP} or absent for the account portal`),
  ip: z.string().min(2).max(64).optional(),
  device: z.string().min(1).max(128).optional().describe('Device id (must belong to the user)'),
  clientType: z.enum(CLIENT_TYPES).optional(),
  signInRisk: z.enum(RISK_LEVELS).optional().describe('Default: computed from the sign-in log'),
  userRisk: z.enum(RISK_LEVELS).optional().describe('Default: computed from the sign-in log'),
  country: z.string().regex(/^[A-Z]{2}$/).optional().describe('Default: from the offline GeoIP database'),
  methodsUsed: z.array(z.string().min(1).max(32)).max(8).default(['password']).describe('Methods verified so far'),
  at: z.iso.datetime({ offset: true }).optional().describe('Evaluate as of this time (default now)'),
});
export type WhatIfInput = z.input<typeof whatIfSchema>;

export interface WhatIfResult {
  facts: Omit<SigninFacts, 'now'> & { now: string };
  decision: Decision;
  reportOnly: ReportOnlyEntry[];
}

export async function whatIf(db: Db | Tx, input: WhatIfInput): Promise<WhatIfResult> {
  const q = whatIfSchema.parse(input);
  const now = q.at ? new Date(q.at) : new Date();
  const user = await resolveUser(db, q.user);
  const set = await loadPolicySet(db, now);
  const facts = await gatherFacts(db, set, {
    userId: user.id, app: q.app, ip: q.ip ?? null, deviceId: q.device, clientType: q.clientType, methodsUsed: q.methodsUsed,
    now, signInRisk: q.signInRisk, userRisk: q.userRisk, country: q.country,
  });
  if (!facts) throw new Error('user vanished during what-if');
  const decision = evaluatePolicies(set, facts, await loadActiveStrengths(db));
  return { facts: { ...facts, now: now.toISOString() }, decision, reportOnly: reportOnlyEntries(decision) };
}
