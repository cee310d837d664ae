import { randomBytes, randomUUID } from 'node:crypto';
import { auditedChange } from '../../audit/append.ts';
import { findUserById } from '../../directory/users.ts';
import type { Db, Tx } from '../../store/store.ts';
import type { ChangeOptions, MethodContext } from '../context.ts';
import { MethodError } from '../errors.ts';
import type { VerifyOptions, VerifyResult } from '../method.ts';
import { throttledVerification } from '../throttle/index.ts';
import { codeDigest, CODES_PER_SET, displayCode, newCode, normalizeCode } from './format.ts';

const KEY_PURPOSE = 'backup-code-key';

async function liveSet(db: Db | Tx, userId: string) {
  return db.selectFrom('backup_code_sets').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

async function unusedCount(db: Db | Tx, setId: string): Promise<number> {
  const row = await db
    .selectFrom('backup_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('set_id', '=', setId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * A new set of ten single-use codes, returned once for the user to keep
 * ("abcde-fghij"); only keyed digests are stored. Any earlier set stops
 * working. Audited 'method.backup_codes.generate'.
 */
export async function generateBackupCodes(ctx: MethodContext, userId: string, options: ChangeOptions): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < CODES_PER_SET) codes.add(newCode());
  const key = randomBytes(32);
  const setId = randomUUID();
  const now = (options.now ?? new Date()).toISOString();
  await auditedChange(ctx.store, async (trx, record) => {
    if (!(await findUserById(trx, userId))) throw new MethodError('user_not_found', 'no such user');
    const old = await liveSet(trx, userId);
    const before = old ? { set: old.id, remaining: await unusedCount(trx, old.id) } : null;
    if (old) {
      await trx.deleteFrom('backup_codes').where('set_id', '=', old.id).execute();
      await trx.deleteFrom('backup_code_sets').where('id', '=', old.id).execute();
    }
    await trx.insertInto('backup_code_sets').values({ id: setId, user_id: userId, key_sealed: ctx.secrets.seal(key, KEY_PURPOSE), created_at: now }).execute();
    await trx
      .insertInto('backup_codes')
      .values([...codes].map((c) => ({ set_id: setId, code_hash: codeDigest(key, c), used_at: null })))
      .execute();
    await record({
      actor: options.actor,
      action: 'method.backup_codes.generate',
      target: `user:${userId}`,
      requestId: options.requestId,
      before,
      after: { set: setId, remaining: CODES_PER_SET },
    });
  });
  return [...codes].map(displayCode);
}

/**
 * Checks a backup code and uses it up. The use is one conditional UPDATE
 * (… WHERE used_at IS NULL), so a code sent by two requests at once works
 * for exactly one. Every try goes through the throttle. The code is looked up
 * by its keyed digest: comparing digests leaks nothing an attacker can steer.
 */
export async function verifyBackupCode(ctx: MethodContext, userId: string, code: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const now = options.now ?? new Date();
  const set = await liveSet(ctx.store.db, userId);
  if (!set || (await unusedCount(ctx.store.db, set.id)) === 0) return { ok: false, reason: 'not_registered' };
  return throttledVerification(ctx.store, { userId, method: 'backup_code', ip: options.ip, now }, async () => {
    const normal = normalizeCode(code);
    if (!normal) return { ok: false, reason: 'invalid' };
    const digest = codeDigest(ctx.secrets.open(set.key_sealed, KEY_PURPOSE), normal);
    const used = await ctx.store.db
      .updateTable('backup_codes')
      .set({ used_at: now.toISOString() })
      .where('set_id', '=', set.id)
      .where('code_hash', '=', digest)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) === 1) return { ok: true, credentialId: set.id };
    const known = await ctx.store.db
      .selectFrom('backup_codes')
      .select('set_id')
      .where('set_id', '=', set.id)
      .where('code_hash', '=', digest)
      .executeTakeFirst();
    return { ok: false, reason: known ? 'replayed' : 'invalid' };
  });
}

/** How many unused codes the user's live set still holds (0 without a set). */
export async function remainingBackupCodes(ctx: Pick<MethodContext, 'store'>, userId: string): Promise<number> {
  const set = await liveSet(ctx.store.db, userId);
  return set ? unusedCount(ctx.store.db, set.id) : 0;
}

/** Voids the user's backup codes. Audited 'method.backup_codes.revoke'; false when there were none. */
export async function revokeBackupCodes(ctx: Pick<MethodContext, 'store'>, userId: string, options: ChangeOptions): Promise<boolean> {
  return auditedChange(ctx.store, async (trx, record) => {
    const old = await liveSet(trx, userId);
    if (!old) return false;
    const remaining = await unusedCount(trx, old.id);
    await trx.deleteFrom('backup_codes').where('set_id', '=', old.id).execute();
    await trx.deleteFrom('backup_code_sets').where('id', '=', old.id).execute();
    await record({
      actor: options.actor,
      action: 'method.backup_codes.revoke',
      target: `user:${userId}`,
      requestId: options.requestId,
      before: { set: old.id, remaining },
    });
    return true;
  });
}
