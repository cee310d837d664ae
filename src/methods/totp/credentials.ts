import type { SecretBox } from '../../config/secret-box.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { TotpSettings } from './otp.ts';
import type { TotpCredentialsTable } from './tables.ts';

/** Seeds are sealed with the master key; the purpose binds them to this use. */
const SEED_PURPOSE = 'totp-seed';

export function sealSeed(secrets: SecretBox, seed: Uint8Array): string {
  return secrets.seal(Buffer.from(seed), SEED_PURPOSE);
}

export function openSeed(secrets: SecretBox, row: Pick<TotpCredentialsTable, 'seed_sealed'>): Uint8Array {
  return new Uint8Array(secrets.open(row.seed_sealed, SEED_PURPOSE));
}

export function settingsOf(row: Pick<TotpCredentialsTable, 'algorithm' | 'digits' | 'period'>): TotpSettings {
  return { algorithm: row.algorithm, digits: Number(row.digits) as 6 | 8, period: Number(row.period) as 30 | 60 };
}

export async function activeCredentials(db: Db | Tx, userId: string): Promise<TotpCredentialsTable[]> {
  const rows = await db
    .selectFrom('totp_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();
  // pg returns bigint columns as numbers (see store.ts); SQLite already does.
  return rows.map((r) => ({ ...r, last_step: Number(r.last_step) }));
}

/** A user's active plus pending credentials may not grow without bound. */
export const MAX_CREDENTIALS_PER_USER = 10;
/** How long a started enrolment waits for its first code. */
export const ENROLMENT_TTL_MS = 15 * 60_000;
