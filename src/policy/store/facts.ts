import type { Db, Tx } from '../../store/store.ts';
import { findUserById } from '../../directory/users.ts';
import { groupsOfUser } from '../../directory/groups.ts';
import { listUserMethods } from '../../methods/list.ts';
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
}

export async function gatherFacts(db: Db | Tx, set: PolicySet, input: FactsInput): Promise<SigninFacts | null> {
  const user = await findUserById(db, input.userId);
  if (!user) return null;
  const now = input.now ?? new Date();
  const roles = (await db.selectFrom('role_assignments').select('role').where('user_id', '=', user.id).execute()).map((r) => r.role);
  const groups = (await groupsOfUser(db, user.id)).map((g) => g.name);
  const methods = [...new Set((await listUserMethods(db, user.id)).map((m) => m.type))];
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
  return {
    now,
    user: { id: user.id, username: user.username, kind: user.kind, groups, roles, registeredMethods: methods },
    app: input.app || PORTAL_APP,
    ip,
    country: input.country !== undefined ? input.country : needsCountry ? countryOf(ip) : null,
    device,
    clientType: input.clientType ?? 'browser',
    signInRisk: input.signInRisk ?? (await signInRisk(db, user.id, ip, now)),
    userRisk: input.userRisk ?? (await userRisk(db, user.id, now)),
    methodsUsed: input.methodsUsed ?? [],
  };
}
