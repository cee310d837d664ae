import { randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../../store/store.ts';
import type { MethodContext } from '../../methods/context.ts';
import type { VerifyResult } from '../../methods/method.ts';
import { throttledVerification } from '../../methods/throttle/index.ts';
import { auditedChange } from '../../audit/append.ts';
import { liveTapRow, stateOf, type TapState } from './model.ts';
import { dummyPass, normalizePass, passMatches } from './pass.ts';

export interface VerifyTapInput {
  /** The account, or undefined for a name that matches no active account (it costs the same). */
  userId: string | undefined;
  /** Whom the throttle counts the try against: the user id, or a placeholder for an unknown name. */
  throttleAs: string;
  pass: string;
  ip?: string;
  /** The sign-in transaction redeeming it: the session it ends in may not outlive the pass. */
  transactionId?: string | null;
  now?: Date;
}

/**
 * Why a correct pass did not work. Shown only to someone who typed the right
 * pass, so it tells nobody else which names have one.
 */
export type TapRefusal = Exclude<TapState, 'active'>;

export type TapCheck =
  | { ok: true; tapId: string; expiresAt: Date }
  | (Extract<VerifyResult, { ok: false }> & { state?: TapRefusal });

/**
 * Checks a pass and, when it is right and usable now, redeems it. The
 * redemption is one conditional UPDATE (… WHERE status = 'active' AND inside
 * its window), so a one-time pass sent by many requests at once works exactly
 * once. Every try goes through the throttle (method 'tap'); unknown names and
 * names without a pass do the same work as a wrong pass.
 */
export async function verifyTap(ctx: MethodContext, input: VerifyTapInput): Promise<TapCheck> {
  const now = input.now ?? new Date();
  let refusal: TapRefusal | undefined;
  let redeemed: { tapId: string; expiresAt: Date } | undefined;
  const result = await throttledVerification(ctx.store, { userId: input.throttleAs, method: 'tap', ip: input.ip, now }, async (): Promise<VerifyResult> => {
    const candidate = normalizePass(input.pass);
    // An unknown name is looked up too (under its placeholder, which matches nothing): the same work either way.
    const found = await liveTapRow(ctx.store.db, input.userId ?? input.throttleAs);
    const row = input.userId ? found : undefined;
    const stored = row ? { keySealed: row.key_sealed, digest: row.digest } : dummyPass(ctx.secrets);
    const matches = passMatches(ctx.secrets, stored, candidate ?? '');
    if (!row || !candidate || !matches) return { ok: false, reason: row ? 'invalid' : 'not_registered' };
    const state = stateOf(row, now);
    if (state !== 'active') {
      refusal = state;
      return { ok: false, reason: 'invalid' };
    }
    const out = await redeem(ctx.store, row.id, Number(row.one_time) === 1, input, now);
    if (!out) {
      refusal = 'used';
      return { ok: false, reason: 'replayed' };
    }
    redeemed = { tapId: row.id, expiresAt: new Date(row.expires_at) };
    return { ok: true, credentialId: row.id };
  });
  if (result.ok && redeemed) return { ok: true, ...redeemed };
  if (result.ok) return { ok: false, reason: 'invalid' };
  return refusal ? { ...result, state: refusal } : result;
}

/**
 * The redemption, its row and its audit entry commit together (auditedChange):
 * a pass is never used up without the audit log saying so, nor the other way round.
 */
async function redeem(store: Store, tapId: string, oneTime: boolean, input: VerifyTapInput, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return auditedChange(store, async (trx, record) => {
    const done = await trx
      .updateTable('temporary_access_passes')
      .set((eb) => ({
        use_count: eb('use_count', '+', 1),
        first_used_at: eb.fn.coalesce('first_used_at', eb.val(at)),
        last_used_at: at,
        status: oneTime ? 'used' : 'active',
        ...(oneTime ? { ended_at: at, end_reason: 'used' } : {}),
      }))
      .where('id', '=', tapId)
      .where('status', '=', 'active')
      .where('one_time', '=', oneTime ? 1 : 0)
      .where('starts_at', '<=', at)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('tap_redemptions')
      .values({ id: randomUUID(), tap_id: tapId, user_id: input.userId!, at, ip: input.ip ?? null, transaction_id: input.transactionId ?? null })
      .execute();
    await record({
      actor: `user:${input.userId}`,
      action: 'tap.redeem',
      target: `user:${input.userId}`,
      after: { tapId, transactionId: input.transactionId ?? null, ip: input.ip ?? null },
    });
    return true;
  });
}

/**
 * The latest moment a session started by redeeming a pass in this sign-in
 * transaction may last: the pass's expiry (or now, if it was revoked since).
 * Undefined when no pass was redeemed in it.
 */
export async function tapSessionNotAfter(db: Db | Tx, transactionId: string, now = new Date()): Promise<Date | undefined> {
  const row = await db
    .selectFrom('tap_redemptions')
    .innerJoin('temporary_access_passes', 'temporary_access_passes.id', 'tap_redemptions.tap_id')
    .select(['temporary_access_passes.expires_at', 'temporary_access_passes.status'])
    .where('tap_redemptions.transaction_id', '=', transactionId)
    .orderBy('tap_redemptions.at', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.status === 'revoked' || row.status === 'replaced') return now;
  return new Date(row.expires_at);
}
