import type { Db } from '../store/store.ts';
import { findUserById, rolesOf, type User } from '../directory/users.ts';
import { registeredMethodTypes } from '../methods/list.ts';

export interface UserFacts {
  user: User;
  roles: string[];
  isAdmin: boolean;
  /** Types of the active second factors the user has registered (totp, backup_code, …). */
  secondFactors: string[];
  /** Types of every active method the user has registered, password included. */
  methods: string[];
}

/** What the engine needs to know about a user to decide the next step. */
export async function loadUserFacts(db: Db, userId: string): Promise<UserFacts | null> {
  const user = await findUserById(db, userId);
  if (!user) return null;
  const roles = await rolesOf(db, userId);
  const types: string[] = await registeredMethodTypes(db, userId);
  return { user, roles, isAdmin: roles.length > 0, secondFactors: types.filter((t) => t !== 'password'), methods: types };
}
