import type { Db, Tx } from '../store/store.ts';
import type { MethodType } from './method.ts';
import { pushSource } from './push/list-source.ts';
import { phoneSource } from './phone/list-source.ts';
import { filterByMethodsPolicy } from './policy/filter.ts';

/** One registered credential, as the self-service page and the sign-in engine see it. */
export interface UserCredential {
  id: string;
  type: MethodType;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}

type Source = (db: Db | Tx, userId: string) => Promise<UserCredential[]>;

const password: Source = async (db, userId) => {
  const row = await db.selectFrom('password_credentials').select(['user_id', 'created_at', 'last_used_at']).where('user_id', '=', userId).executeTakeFirst();
  return row ? [{ id: row.user_id, type: 'password', label: 'Password', createdAt: row.created_at, lastUsedAt: row.last_used_at ?? null }] : [];
};

const totp: Source = async (db, userId) => {
  const rows = await db
    .selectFrom('totp_credentials')
    .select(['id', 'label', 'created_at', 'activated_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, type: 'totp', label: r.label, createdAt: r.activated_at ?? r.created_at, lastUsedAt: r.last_used_at }));
};

// A used-up set is not listed: it can no longer sign anybody in, so it must not count as a registered factor.
const backupCodes: Source = async (db, userId) => {
  const set = await db.selectFrom('backup_code_sets').select(['id', 'created_at']).where('user_id', '=', userId).executeTakeFirst();
  if (!set) return [];
  const counts = await db
    .selectFrom('backup_codes')
    .select((eb) => [eb.fn.countAll().as('total'), eb.fn.count('used_at').as('used'), eb.fn.max('used_at').as('last')])
    .where('set_id', '=', set.id)
    .executeTakeFirstOrThrow();
  const left = Number(counts.total) - Number(counts.used);
  if (left <= 0) return [];
  const label = `Backup codes (${left} of ${Number(counts.total)} left)`;
  return [{ id: set.id, type: 'backup_code', label, createdAt: set.created_at, lastUsedAt: (counts.last as string | null) ?? null }];
};

const webauthn: Source = async (db, userId) => {
  const rows = await db.selectFrom('webauthn_credentials').select(['id', 'name', 'created_at', 'last_used_at']).where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, type: 'webauthn', label: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
};

/** Each method with stored credentials adds its source here. */
const SOURCES: Source[] = [password, totp, backupCodes, webauthn, pushSource, phoneSource];

/** The user's registered credentials across all methods (pending enrolments excluded), oldest first per method. */
export async function listUserMethods(db: Db | Tx, userId: string): Promise<UserCredential[]> {
  const out: UserCredential[] = [];
  // One after another: inside a transaction the queries share one connection.
  for (const source of SOURCES) out.push(...(await source(db, userId)));
  // A method the methods policy does not allow for this user cannot sign in: it does not count.
  return filterByMethodsPolicy(db, userId, out);
}
