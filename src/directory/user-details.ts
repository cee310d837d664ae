import type { Db, Tx } from '../store/store.ts';
import { groupsOfUser } from './groups.ts';
import { roleGrantsOf, type RoleGrant } from './role-grants.ts';
import { hasPassword } from './user-password.ts';
import { resolveUser, type User } from './users.ts';
import { throttleStatus, type FactorThrottleStatus } from '../methods/throttle/unlock.ts';
import { registeredMethods, type RegisteredMethod } from './user-methods.ts';
import { originOfUser, type Origin } from './provenance.ts';

/** A user with what an administrator looks at next: roles, groups, whether a password is set, locked factors. */
export interface UserDetails extends User {
  roles: RoleGrant[];
  groups: Array<{ id: string; name: string }>;
  hasPassword: boolean;
  /** Factors with failed attempts since their last success, so the helpdesk sees a lock before unlocking it. */
  factorLocks: FactorThrottleStatus[];
  /** Every registered method with its id, so the helpdesk can tell the old ones from the new and remove one. */
  methods: RegisteredMethod[];
  /** Local, a SCIM client or an LDAP source: what a source provides is read-only here. */
  origin: Origin;
}

export async function describeUser(db: Db | Tx, ref: string): Promise<UserDetails> {
  const user = await resolveUser(db, ref);
  const [roles, groups, password, factorLocks] = await Promise.all([
    roleGrantsOf(db, user.id), groupsOfUser(db, user.id), hasPassword(db, user.id), throttleStatus(db, user.id),
  ]);
  // After the others: inside a transaction its queries share the one connection in turn.
  const methods = await registeredMethods(db, user.id);
  const origin = await originOfUser(db, user.id);
  return { ...user, roles, groups, hasPassword: password, factorLocks, methods, origin };
}
