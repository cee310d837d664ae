import type { Db, Tx } from '../store/store.ts';
import { groupsOfUser } from './groups.ts';
import { roleGrantsOf, type RoleGrant } from './role-grants.ts';
import { hasPassword } from './user-password.ts';
import { resolveUser, type User } from './users.ts';

/** A user with what an administrator looks at next: roles, groups, whether a password is set. */
export interface UserDetails extends User {
  roles: RoleGrant[];
  groups: Array<{ id: string; name: string }>;
  hasPassword: boolean;
}

export async function describeUser(db: Db | Tx, ref: string): Promise<UserDetails> {
  const user = await resolveUser(db, ref);
  const [roles, groups, password] = await Promise.all([roleGrantsOf(db, user.id), groupsOfUser(db, user.id), hasPassword(db, user.id)]);
  return { ...user, roles, groups, hasPassword: password };
}
