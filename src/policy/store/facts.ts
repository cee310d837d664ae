import type { Db, Tx } from '../../store/store.ts';
import { findUserById, rolesOf } from '../../directory/users.ts';
import type { KnownSubject } from './subject.ts';
import { groupsOfUser } from '../../directory/groups.ts';
import { registeredMethodTypes } from '../../methods/list.ts';
import { toDevice } from '../../directory/devices.ts';
import { PORTAL_APP, type ClientType, type RiskLevel } from '../document.ts';
import type { PolicySet, SigninFacts } from '../model.ts';
import { countryOf } from '../geo/country.ts';
import type { MethodUseLike } from '../strength-port.ts';
import { signInRisk, userRisk } from './risk-facts.ts';

/**
 * Gathers the facts of a sign-in (or a what-if question) from the store: the
 * person, groups, roles and registered methods, the device (only the
 * person's own, active device counts), risk from the sign-in log, and the
 * country from the offline GeoIP database when some location needs it.
 */
export interface FactsInput {
  userId: string;
  /** OIDC client id; null or absent for the account portal. */
  app?: string | null;
  ip?: string | null;
  deviceId?: string | null;
  clientType?: ClientType;
  methodsUsed?: readonly MethodUseLike[];
  now?: Date;
  /** What-if overrides: otherwise computed from the sign-in log / GeoIP. */
  signInRisk?: RiskLevel;
  userRisk?: RiskLevel;
  country?: string | null;
  /** The person as the caller already loaded them in this step, so they are not read again. */
  subject?: KnownSubject;
  /**
   * Read the sign-in log for risk only when some policy has a risk condition
   * (otherwise risk cannot change the decision). What-if leaves this off: it
   * shows the facts.
   */
  riskOnlyWhenUsed?: boolean;
}

export { loadSubject, type KnownSubject } from './subject.ts';

function policiesUseRisk(set: PolicySet): { signIn: boolean; user: boolean } {
  let signIn = false;
  let user = false;
  for (const p of set.policies) {
    signIn ||= !!p.document.conditions.signInRisk;
    user ||= !!p.document.conditions.userRisk;
  }
  return { signIn, user };
}

export async function gatherFacts(db: Db | Tx, set: PolicySet, input: FactsInput): Promise<SigninFacts | null> {
  const known = input.subject?.user.id === input.userId ? input.subject : undefined;
  const user = known?.user ?? (await findUserById(db, input.userId));
  if (!user) return null;
  const now = input.now ?? new Date();
  const roles = known ? [...known.roles] : await rolesOf(db, user.id);
  const groups = known?.groups ? [...known.groups] : (await groupsOfUser(db, user.id)).map((g) => g.name);
  const methods = known ? [...known.methods] : await registeredMethodTypes(db, user.id);
  let device: SigninFacts['device'] = null;
  if (input.deviceId) {
    const row = await db.selectFrom('devices').selectAll().where('id', '=', input.deviceId).executeTakeFirst();
    if (row && row.user_id === user.id && row.status === 'active') {
      const d = toDevice(row);
      device = { id: d.id, managed: d.managed, compliant: d.compliant };
    }
  }
  const ip = input.ip ?? null;
  const needsCountry = set.namedLocations.some((l) => l.countries?.length);
  const risk = input.riskOnlyWhenUsed ? policiesUseRisk(set) : { signIn: true, user: true };
  return {
    now,
    user: { id: user.id, username: user.username, kind: user.kind, groups, roles, registeredMethods: methods },
    app: input.app || PORTAL_APP,
    ip,
    country: input.country !== undefined ? input.country : needsCountry ? countryOf(ip) : null,
    device,
    clientType: input.clientType ?? 'browser',
    signInRisk: input.signInRisk ?? (risk.signIn ? await signInRisk(db, user.id, ip, now) : 'none'),
    userRisk: input.userRisk ?? (risk.user ? await userRisk(db, user.id, now) : 'none'),
    methodsUsed: input.methodsUsed ?? [],
  };
}
