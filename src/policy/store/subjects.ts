import type { Db, Tx } from '../../store/store.ts';
import { listUserMethods } from '../../methods/list.ts';
import type { LockoutSubject } from '../lockout.ts';
import type { PolicySettings } from './settings.ts';
import { userRisk } from './risk-facts.ts';

const APPS_WINDOW_MS = 90 * 24 * 3600_000;

function groupBy<T>(rows: T[], key: (r: T) => string, value: (r: T) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k) ?? [];
    list.push(value(r));
    out.set(k, list);
  }
  return out;
}

/**
 * Every active person as the lockout analysis sees them: groups, roles,
 * registered methods, a compliant device or not, the apps they signed in to
 * in the last 90 days, and the bootstrap methods the helpdesk can give them.
 */
export async function lockoutSubjects(db: Db | Tx, settings: PolicySettings, now = new Date()): Promise<LockoutSubject[]> {
  const users = await db.selectFrom('users').select(['id', 'username', 'kind']).where('status', '=', 'active').orderBy('username_key').execute();
  const groups = groupBy(
    await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select(['group_members.user_id', 'groups.name']).execute(),
    (r) => r.user_id,
    (r) => r.name,
  );
  const roles = groupBy(await db.selectFrom('role_assignments').select(['user_id', 'role']).execute(), (r) => r.user_id, (r) => r.role);
  const compliant = new Set(
    (await db.selectFrom('devices').select('user_id').where('status', '=', 'active').where('compliant', '=', 1).execute()).map((r) => r.user_id),
  );
  const apps = groupBy(
    await db
      .selectFrom('signin_log')
      .select(['user_id', 'client_id'])
      .distinct()
      .where('result', '=', 'success')
      .where('client_id', 'is not', null)
      .where('at', '>=', new Date(now.getTime() - APPS_WINDOW_MS).toISOString())
      .execute(),
    (r) => r.user_id ?? '',
    (r) => r.client_id ?? '',
  );
  const out: LockoutSubject[] = [];
  for (const u of users) {
    const methods = await listUserMethods(db, u.id);
    out.push({
      id: u.id,
      username: u.username,
      kind: u.kind,
      groups: groups.get(u.id) ?? [],
      roles: roles.get(u.id) ?? [],
      registeredMethods: [...new Set(methods.map((m) => m.type))],
      // Service accounts use client credentials, not people's bootstrap paths.
      bootstrapMethods: u.kind === 'service' ? [] : settings.bootstrapMethods,
      hasCompliantDevice: compliant.has(u.id),
      userRisk: await userRisk(db, u.id, now),
      apps: apps.get(u.id) ?? [],
    });
  }
  return out;
}
