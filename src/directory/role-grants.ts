import type { Db, Store, Tx } from '../store/store.ts';
import { auditedChange } from '../audit/append.ts';
import { isRole, PRIVILEGED_ROLES, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './roles.ts';
import { ConflictError, InvalidInputError, NotFoundError, type ChangedBy } from './errors.ts';
import { refuseIfLastGlobalAdmin } from './last-admin.ts';
import { resolveUser, toUser, type User } from './users.ts';

/** Granting and revoking the roles defined in roles.ts; the definitions themselves are code. */
export interface RoleDefinition {
  name: Role;
  permissions: Permission[];
  /** Holders count as administrators: MFA always, stronger rules. */
  privileged: boolean;
}

export function roleDefinitions(): RoleDefinition[] {
  return ROLES.map((name) => ({ name, permissions: [...ROLE_PERMISSIONS[name]], privileged: PRIVILEGED_ROLES.includes(name) }));
}

export interface RoleGrant {
  userId: string;
  role: Role;
  grantedAt: string;
  grantedBy: string;
}

function checkRole(role: string): Role {
  if (!isRole(role)) throw new InvalidInputError(`unknown role ${role}; roles are ${ROLES.join(', ')}`);
  return role;
}

export async function roleGrantsOf(db: Db | Tx, userId: string): Promise<RoleGrant[]> {
  const rows = await db.selectFrom('role_assignments').selectAll().where('user_id', '=', userId).orderBy('role').execute();
  return rows.filter((r) => isRole(r.role)).map((r) => ({ userId: r.user_id, role: r.role as Role, grantedAt: r.granted_at, grantedBy: r.granted_by }));
}

export async function roleHolders(db: Db | Tx, role: string): Promise<User[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .innerJoin('users', 'users.id', 'role_assignments.user_id')
    .selectAll('users')
    .where('role_assignments.role', '=', checkRole(role))
    .orderBy('users.username_key')
    .execute();
  return rows.map(toUser);
}

export async function grantRole(store: Store, userRef: string, role: string, by: ChangedBy): Promise<RoleGrant> {
  const r = checkRole(role);
  return auditedChange(store, async (trx, record) => {
    const user = await resolveUser(trx, userRef);
    const held = await trx.selectFrom('role_assignments').select('role').where('user_id', '=', user.id).where('role', '=', r).executeTakeFirst();
    if (held) throw new ConflictError(`${user.username} already holds ${r}`);
    const grant: RoleGrant = { userId: user.id, role: r, grantedAt: new Date().toISOString(), grantedBy: by.actor };
    await trx.insertInto('role_assignments').values({ user_id: user.id, role: r, granted_at: grant.grantedAt, granted_by: by.actor }).execute();
    await record({ actor: by.actor, action: 'role.grant', target: `user:${user.id}`, requestId: by.requestId, after: { role: r } });
    return grant;
  });
}

/** Revokes a role; taking global_admin from the last active global admin is refused. */
export async function revokeRole(store: Store, userRef: string, role: string, by: ChangedBy): Promise<void> {
  const r = checkRole(role);
  await auditedChange(store, async (trx, record) => {
    const user = await resolveUser(trx, userRef);
    if (r === 'global_admin') await refuseIfLastGlobalAdmin(trx, user.id, `revoke global_admin from ${user.username}`);
    const gone = await trx.deleteFrom('role_assignments').where('user_id', '=', user.id).where('role', '=', r).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) throw new NotFoundError(`${user.username} does not hold ${r}`);
    await record({ actor: by.actor, action: 'role.revoke', target: `user:${user.id}`, requestId: by.requestId, before: { role: r } });
  });
}
