import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import { RefusedError, type ChangedBy } from '../../directory/errors.ts';
import { resolveUser } from '../../directory/users.ts';
import { raiseAlert } from '../../monitor/alerts.ts';
import type { BreakGlassTest } from './report.ts';

/** A test counts the account's own successful sign-in within this window before it is recorded. */
export const TEST_SIGNIN_WINDOW_MS = 24 * 3600 * 1000;

export const breakGlassTestSchema = z.strictObject({
  /** Omitted: 'pass' when the account signed in successfully in the last 24 hours. */
  result: z.enum(['pass', 'fail']).optional(),
  notes: z.string().trim().max(500).optional(),
});

/**
 * Records a test of a break-glass account: who, when, and the result. A test
 * passes only on a real successful sign-in of the account in the last 24
 * hours (which raised its own alert); a failed test raises a high alert.
 * Audited 'breakglass.test'.
 */
export async function recordBreakGlassTest(
  store: Store,
  userRef: string,
  input: z.input<typeof breakGlassTestSchema>,
  by: ChangedBy & { now?: Date },
): Promise<BreakGlassTest & { username: string }> {
  const data = breakGlassTestSchema.parse(input);
  const now = by.now ?? new Date();
  return auditedChange(store, async (trx, record) => {
    const user = await resolveUser(trx, userRef);
    if (user.kind !== 'break_glass') throw new RefusedError(`${user.username} is not a break-glass account`);
    const since = new Date(now.getTime() - TEST_SIGNIN_WINDOW_MS).toISOString();
    const signin = await trx
      .selectFrom('signin_log')
      .select(['id', 'at'])
      .where('user_id', '=', user.id)
      .where('result', '=', 'success')
      .where('at', '>=', since)
      .orderBy('at', 'desc')
      .executeTakeFirst();
    if (!signin && data.result !== 'fail') {
      throw new RefusedError(
        `no successful sign-in of ${user.username} in the last 24 hours: sign in with it first (a test passes only on a real sign-in), or record a failed test with result fail`,
      );
    }
    const result = data.result ?? 'pass';
    const row = {
      id: randomUUID(),
      user_id: user.id,
      at: now.toISOString(),
      actor: by.actor,
      result,
      signin_id: signin?.id ?? null,
      signin_at: signin?.at ?? null,
      notes: data.notes ?? null,
    };
    await trx.insertInto('break_glass_tests').values(row).execute();
    const test: BreakGlassTest = { id: row.id, at: row.at, actor: row.actor, result, signinAt: row.signin_at, notes: row.notes };
    await record({ actor: by.actor, action: 'breakglass.test', target: `user:${user.id}`, requestId: by.requestId, after: test });
    if (result === 'fail') {
      await raiseAlert(trx, {
        severity: 'high',
        kind: 'breakglass.test_failed',
        userId: user.id,
        username: user.username,
        details: { testId: row.id, actor: by.actor, notes: row.notes },
        at: now,
      });
    }
    return { ...test, username: user.username };
  });
}
