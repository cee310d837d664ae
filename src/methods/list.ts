import type { ExpressionBuilder } from 'kysely';
import type { Db, Tx } from '../store/store.ts';
import type { Database } from '../store/schema.ts';
import { compiled, first } from '../store/compiled.ts';
import type { MethodType } from './method.ts';
import { activePush, pushSource } from './push/list-source.ts';
import { activePhones, phoneSource } from './phone/list-source.ts';
import { allowedByMethodsPolicy, filterByMethodsPolicy } from './policy/filter.ts';

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

const activeTotp = (db: Db | Tx, userId: string) => db.selectFrom('totp_credentials').where('user_id', '=', userId).where('status', '=', 'active');

const totp: Source = async (db, userId) => {
  const rows = await activeTotp(db, userId).select(['id', 'label', 'created_at', 'activated_at', 'last_used_at']).orderBy('created_at').execute();
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

const unusedBackupCodes = (db: Db | Tx, userId: string) =>
  db.selectFrom('backup_codes').innerJoin('backup_code_sets', 'backup_code_sets.id', 'backup_codes.set_id')
    .where('backup_code_sets.user_id', '=', userId).where('backup_codes.used_at', 'is', null);

/** Each method with stored credentials adds its source here (and to registeredMethodTypes below). */
const SOURCES: Source[] = [password, totp, backupCodes, webauthn, pushSource, phoneSource];

/** The user's registered credentials across all methods (pending enrolments excluded), oldest first per method. */
export async function listUserMethods(db: Db | Tx, userId: string): Promise<UserCredential[]> {
  // A method the methods policy does not allow for this user cannot sign in: it does not count.
  return filterByMethodsPolicy(db, userId, await listRegisteredCredentials(db, userId));
}

/** Every stored credential, whether the methods policy allows it or not: what the helpdesk sees and can remove. */
export async function listRegisteredCredentials(db: Db | Tx, userId: string): Promise<UserCredential[]> {
  const out: UserCredential[] = [];
  // One after another: inside a transaction the queries share one connection.
  for (const source of SOURCES) out.push(...(await source(db, userId)));
  return out;
}

/**
 * One yes/no column per method type: whether the user has an active credential
 * of it. Exported so that a query gathering more about the person (the access
 * decision's subject) can ask this in the same statement.
 */
export function methodPresence<DB extends Database, TB extends keyof DB>(db: Db | Tx, eb: ExpressionBuilder<DB, TB>, userId: string) {
  return [
    eb.exists(db.selectFrom('password_credentials').select('user_id').where('user_id', '=', userId)).as('password'),
    eb.exists(activeTotp(db, userId).select('id')).as('totp'),
    eb.exists(unusedBackupCodes(db, userId).select('backup_codes.set_id')).as('backup_code'),
    eb.exists(db.selectFrom('webauthn_credentials').select('id').where('user_id', '=', userId)).as('webauthn'),
    eb.exists(activePush(db, userId).select('id')).as('push'),
    eb.exists(activePhones(db, userId).where('channel', '=', 'sms').select('id')).as('sms'),
    eb.exists(activePhones(db, userId).where('channel', '=', 'voice').select('id')).as('voice'),
  ] as const;
}

const PRESENCE_TYPES = ['password', 'totp', 'backup_code', 'webauthn', 'push', 'sms', 'voice'] as const satisfies readonly MethodType[];

/** The method types a methodPresence row says yes to (SQLite answers 0/1, PostgreSQL true/false). */
export function presentMethodTypes(row: { readonly [K in (typeof PRESENCE_TYPES)[number]]: unknown }): MethodType[] {
  return PRESENCE_TYPES.filter((type) => Boolean(Number(row[type])));
}

// Asked on every sign-in step: compiled once (src/store/compiled.ts).
const methodsPresent = compiled((db, userId: string) => db.selectNoFrom((eb) => methodPresence(db, eb, userId)));

/**
 * The types of the user's registered methods, as listUserMethods would list
 * them, in one query: the sign-in engine asks this on every step and needs no
 * labels or dates.
 */
export async function registeredMethodTypes(db: Db | Tx, userId: string): Promise<MethodType[]> {
  const row = await first(methodsPresent(db, userId));
  if (!row) throw new Error('no answer to the registered-methods query');
  const present = presentMethodTypes(row);
  const allowed = await allowedByMethodsPolicy(db, userId, present);
  return present.filter(allowed);
}
