import { randomUUID } from 'node:crypto';
import { auditedChange } from '../../audit/append.ts';
import { findUserById } from '../../directory/users.ts';
import type { ChangeOptions, MethodContext } from '../context.ts';
import { MethodError } from '../errors.ts';
import { credentialLabel } from '../label.ts';
import { MAX_CREDENTIALS_PER_USER, sealSeed, settingsOf } from './credentials.ts';
import { parseBase32Secret, totpSettings, type TotpSettings, type TotpSettingsInput } from './otp.ts';
import type { TotpSource } from './tables.ts';

export interface TotpCredential extends TotpSettings {
  id: string;
  label: string;
  source: TotpSource;
  createdAt: string;
  lastUsedAt: string | null;
}

/** The user's active authenticators (pending enrolments are not listed). */
export async function listTotp(ctx: Pick<MethodContext, 'store'>, userId: string): Promise<TotpCredential[]> {
  const rows = await ctx.store.db
    .selectFrom('totp_credentials')
    .select(['id', 'label', 'source', 'algorithm', 'digits', 'period', 'created_at', 'activated_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    source: r.source,
    ...settingsOf(r),
    createdAt: r.activated_at ?? r.created_at,
    lastUsedAt: r.last_used_at,
  }));
}

/**
 * Removes one of the user's authenticators (active or pending). Audited
 * 'method.totp.remove'; false when the user has no such credential. Whether the
 * user keeps a way to sign in is the caller's (policy's) question.
 */
export async function removeTotp(ctx: Pick<MethodContext, 'store'>, userId: string, credentialId: string, options: ChangeOptions): Promise<boolean> {
  return auditedChange(ctx.store, async (trx, record) => {
    const row = await trx
      .selectFrom('totp_credentials')
      .select(['id', 'label', 'status', 'source'])
      .where('id', '=', credentialId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('totp_credentials').where('id', '=', row.id).execute();
    // A never-activated enrolment was not a method: removing it is housekeeping, not an audited change.
    if (row.status === 'active') {
      await record({
        actor: options.actor,
        action: 'method.totp.remove',
        target: `user:${userId}`,
        requestId: options.requestId,
        before: { id: row.id, label: row.label, source: row.source },
      });
    }
    return true;
  });
}

export interface ImportTotpInput extends TotpSettingsInput, ChangeOptions {
  /** The token's seed in base32, as printed on its sheet or given in the vendor's file. */
  secretBase32: string;
  label?: string;
}

/**
 * Registers a hardware OATH token whose seed the organisation received from
 * the vendor. Active at once (there is no app to prove), audited
 * 'method.totp.add' with source 'import'.
 */
export async function importTotp(ctx: MethodContext, userId: string, input: ImportTotpInput): Promise<{ credentialId: string }> {
  const settings = totpSettings(input);
  const seed = parseBase32Secret(input.secretBase32);
  const label = credentialLabel(input.label, 'Hardware token');
  const now = (input.now ?? new Date()).toISOString();
  const id = randomUUID();
  await auditedChange(ctx.store, async (trx, record) => {
    if (!(await findUserById(trx, userId))) throw new MethodError('user_not_found', 'no such user');
    const count = await trx.selectFrom('totp_credentials').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_CREDENTIALS_PER_USER) {
      throw new MethodError('too_many', `at most ${MAX_CREDENTIALS_PER_USER} authenticators per user; remove one first`);
    }
    await trx
      .insertInto('totp_credentials')
      .values({
        id, user_id: userId, label, seed_sealed: sealSeed(ctx.secrets, seed), ...settings,
        status: 'active', source: 'import', last_step: -1, created_at: now, activated_at: now, last_used_at: null,
      })
      .execute();
    await record({
      actor: input.actor,
      action: 'method.totp.add',
      target: `user:${userId}`,
      requestId: input.requestId,
      after: { id, label, source: 'import', ...settings },
    });
  });
  return { credentialId: id };
}
