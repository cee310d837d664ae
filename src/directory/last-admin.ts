import type { Db, Tx } from '../store/store.ts';
import { RefusedError } from './errors.ts';

/**
 * The organisation must never lose its last way in: a change that would leave
 * no active global admin is refused. Callers run this inside their audited
 * transaction, which holds the audit lock, so two such changes cannot both pass.
 */
export async function activeGlobalAdminIds(db: Db | Tx): Promise<string[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .innerJoin('users', 'users.id', 'role_assignments.user_id')
    .select('users.id')
    .where('role_assignments.role', '=', 'global_admin')
    .where('users.status', '=', 'active')
    .execute();
  return rows.map((r) => r.id);
}

/** Throws when userId is the only active global admin; `doing` completes "cannot … ". */
export async function refuseIfLastGlobalAdmin(trx: Tx, userId: string, doing: string): Promise<void> {
  const admins = await activeGlobalAdminIds(trx);
  if (admins.length === 1 && admins[0] === userId) {
    throw new RefusedError(
      `cannot ${doing}: this is the last active global admin; grant global_admin to another active user first`,
    );
  }
}
