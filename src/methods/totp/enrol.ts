import { randomBytes, randomUUID } from 'node:crypto';
import { methodAllowedFor } from '../policy/check.ts';
import { qrSvg } from '../qr-code.ts';
import { auditedChange } from '../../audit/append.ts';
import { findUserById } from '../../directory/users.ts';
import type { ChangeOptions, EnrolmentContext, MethodContext } from '../context.ts';
import { MethodError } from '../errors.ts';
import { credentialLabel } from '../label.ts';
import { throttledVerification } from '../throttle/index.ts';
import { ENROLMENT_TTL_MS, MAX_CREDENTIALS_PER_USER, openSeed, sealSeed, settingsOf } from './credentials.ts';
import { matchingSteps, otpauthUri, SEED_BYTES, toBase32, totpSettings, type TotpSettings, type TotpSettingsInput } from './otp.ts';
import type { TotpCredentialsTable } from './tables.ts';

export const DEFAULT_TOTP_LABEL = 'Authenticator app';

/** What the page shows while the user adds the app. The secret is shown to the user only, never logged. */
export interface TotpEnrolment {
  enrolmentId: string;
  secretBase32: string;
  otpauthUri: string;
  /** The otpauth URI as a QR code, an SVG document. */
  qrSvg: string;
  settings: TotpSettings;
  expiresAt: string;
}

export interface BeginTotpOptions extends TotpSettingsInput {
  label?: string;
  now?: Date;
}

/**
 * Starts adding an authenticator app: a fresh seed, stored sealed as a
 * PENDING credential that cannot sign anybody in until finishTotpEnrolment
 * sees a correct code. Not audited yet: nothing usable exists until then.
 */
export async function beginTotpEnrolment(ctx: EnrolmentContext, userId: string, options: BeginTotpOptions = {}): Promise<TotpEnrolment> {
  const user = await findUserById(ctx.store.db, userId);
  if (!user) throw new MethodError('user_not_found', 'no such user');
  // A method the methods policy does not allow for this user cannot be registered either.
  const allowed = await methodAllowedFor(ctx.store.db, 'totp', userId);
  if (!allowed.allowed) throw new MethodError('method_disabled', allowed.reason);
  const settings = totpSettings(options);
  const label = credentialLabel(options.label, DEFAULT_TOTP_LABEL);
  const now = options.now ?? new Date();
  const seed = new Uint8Array(randomBytes(SEED_BYTES[settings.algorithm]));
  const row: TotpCredentialsTable = {
    id: randomUUID(),
    user_id: userId,
    label,
    seed_sealed: sealSeed(ctx.secrets, seed),
    ...settings,
    status: 'pending',
    source: 'app',
    last_step: -1,
    created_at: now.toISOString(),
    activated_at: null,
    last_used_at: null,
  };
  await ctx.store.serialized(`tessera.totp:${userId}`, async (trx) => {
    const stale = new Date(now.getTime() - ENROLMENT_TTL_MS).toISOString();
    await trx.deleteFrom('totp_credentials').where('user_id', '=', userId).where('status', '=', 'pending').where('created_at', '<', stale).execute();
    const count = await trx.selectFrom('totp_credentials').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_CREDENTIALS_PER_USER) {
      throw new MethodError('too_many', `at most ${MAX_CREDENTIALS_PER_USER} authenticators per user; remove one first`);
    }
    await trx.insertInto('totp_credentials').values(row).execute();
  });
  return present(ctx, row, seed, user.username);
}

/** The pending enrolment again (the page reloaded, or a wrong code): same secret, same QR code. Null once gone or expired. */
export async function loadTotpEnrolment(ctx: EnrolmentContext, userId: string, enrolmentId: string, now = new Date()): Promise<TotpEnrolment | null> {
  const row = await pending(ctx, userId, enrolmentId, now);
  const user = row && (await findUserById(ctx.store.db, userId));
  if (!row || !user) return null;
  return present(ctx, row, openSeed(ctx.secrets, row), user.username);
}

export type FinishTotpResult =
  | { ok: true; credentialId: string }
  | { ok: false; reason: 'invalid' | 'not_found' | 'locked'; retryAfterMs?: number | null };

/**
 * Activates the pending credential when `code` is correct, audited
 * 'method.totp.add'. The step of that code counts as used, so the code that
 * proved the app cannot be replayed to sign in. Tries are rate-limited like
 * sign-in codes (method 'totp').
 */
export async function finishTotpEnrolment(
  ctx: MethodContext,
  userId: string,
  enrolmentId: string,
  code: string,
  options: ChangeOptions & { label?: string },
): Promise<FinishTotpResult> {
  const now = options.now ?? new Date();
  const row = await pending(ctx, userId, enrolmentId, now);
  if (!row) return { ok: false, reason: 'not_found' };
  const label = options.label === undefined ? row.label : credentialLabel(options.label, row.label);
  const settings = settingsOf(row);
  let gone = false;
  const result = await throttledVerification(ctx.store, { userId, method: 'totp', ip: options.ip, now }, async () => {
    const step = matchingSteps(openSeed(ctx.secrets, row), settings, code.replace(/\s/g, ''), now)[0];
    if (step === undefined) return { ok: false, reason: 'invalid' };
    const activated = await auditedChange(ctx.store, async (trx, record) => {
      const done = await trx
        .updateTable('totp_credentials')
        .set({ status: 'active', last_step: step, activated_at: now.toISOString(), last_used_at: now.toISOString(), label })
        .where('id', '=', row.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return false;
      await record({
        actor: options.actor,
        action: 'method.totp.add',
        target: `user:${userId}`,
        requestId: options.requestId,
        after: { id: row.id, label, source: row.source, ...settings },
      });
      return true;
    });
    gone = !activated;
    return activated ? { ok: true, credentialId: row.id } : { ok: false, reason: 'invalid' };
  });
  if (gone) return { ok: false, reason: 'not_found' };
  if (result.ok) return result;
  return result.reason === 'locked' ? { ok: false, reason: 'locked', retryAfterMs: result.retryAfterMs } : { ok: false, reason: 'invalid' };
}

async function pending(ctx: MethodContext, userId: string, enrolmentId: string, now: Date): Promise<TotpCredentialsTable | undefined> {
  const row = await ctx.store.db
    .selectFrom('totp_credentials')
    .selectAll()
    .where('id', '=', enrolmentId)
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (!row || Date.parse(row.created_at) + ENROLMENT_TTL_MS <= now.getTime()) return undefined;
  return row;
}

async function present(ctx: EnrolmentContext, row: TotpCredentialsTable, seed: Uint8Array, username: string): Promise<TotpEnrolment> {
  const settings = settingsOf(row);
  const uri = otpauthUri(seed, settings, issuerName(ctx.config.issuer), username);
  return {
    enrolmentId: row.id,
    secretBase32: toBase32(seed),
    otpauthUri: uri,
    qrSvg: await qrSvg(uri),
    settings,
    expiresAt: new Date(Date.parse(row.created_at) + ENROLMENT_TTL_MS).toISOString(),
  };
}

/** Authenticator apps show the issuer beside the account: the server's host name says where the code is for. */
function issuerName(issuer: string): string {
  try {
    return new URL(issuer).host;
  } catch {
    return 'Tessera';
  }
}
