import type { Db } from '../store/store.ts';

export const DEFAULT_RETENTION_DAYS = 400;
/** Rows deleted per statement: small enough that a big first prune never holds the table for long. */
const BATCH = 5000;

/**
 * Deletes sign-in log rows older than the retention, in batches, and returns
 * how many went. The sign-in log is evidence of attempts, not of changes:
 * the audit log (and its hash chain) is never pruned. Any node may run it;
 * deleting what another node already deleted does nothing.
 */
export async function pruneSigninLog(db: Db, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const batch = db.selectFrom('signin_log').select('id').where('at', '<', cutoff).limit(BATCH);
    const res = await db.deleteFrom('signin_log').where('id', 'in', batch).executeTakeFirst();
    const n = Number(res.numDeletedRows);
    total += n;
    if (n < BATCH) return total;
  }
}
