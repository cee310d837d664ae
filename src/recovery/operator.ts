import type { Db, Tx } from '../store/store.ts';
import { PRIVILEGED_ROLES, permissionsOf, type Permission } from '../directory/roles.ts';
import { RefusedError } from '../directory/errors.ts';
import { resolveUser, rolesOf, type User } from '../directory/users.ts';

/**
 * The person doing a recovery step (issuing or approving a pass, verifying an
 * identity). Admin API tokens and the CLI are not people, so each such step
 * names its person, who must be an active account with the right role; the
 * audit entry keeps both the person and the token or CLI user that acted.
 */
export interface Operator {
  userId: string;
  username: string;
  roles: string[];
  privileged: boolean;
}

/** Holds a privileged role (src/directory/roles.ts) or is a break-glass account. */
export function isPrivileged(user: Pick<User, 'kind'>, roles: readonly string[]): boolean {
  return user.kind === 'break_glass' || roles.some((r) => (PRIVILEGED_ROLES as readonly string[]).includes(r));
}

export async function privilegedTarget(db: Db | Tx, user: User): Promise<boolean> {
  return isPrivileged(user, await rolesOf(db, user.id));
}

/**
 * Resolves the named person; refused unless the account is active and, when
 * `needs` is given, one of its roles grants that permission.
 */
export async function resolveOperator(db: Db | Tx, ref: string, needs?: Permission): Promise<Operator> {
  const user = await resolveUser(db, ref);
  if (user.status !== 'active') throw new RefusedError(`${user.username} is disabled and cannot act on recoveries`);
  const roles = await rolesOf(db, user.id);
  if (needs && !permissionsOf(roles).has(needs)) {
    throw new RefusedError(`${user.username} holds no role with the ${needs} permission`);
  }
  return { userId: user.id, username: user.username, roles, privileged: isPrivileged(user, roles) };
}

/**
 * For the CLI: the person named with --as, else the operating-system user
 * running it (when an account of that name exists); refused otherwise.
 */
export async function cliOperator(db: Db | Tx, named: string | undefined, osUser: string): Promise<string> {
  if (named) return named;
  const user = await resolveUser(db, osUser).catch(() => undefined);
  if (!user) throw new RefusedError(`name the person acting with --as <username> (there is no account named ${osUser})`);
  return user.username;
}
