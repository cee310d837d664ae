import { randomBytes, randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../store/store.ts';
import { compiled, first } from '../store/compiled.ts';
import { writeSigninLog } from '../monitor/signin-log.ts';
import { sha256, secretMatches } from '../app/opaque-token.ts';
import type { SigninStep, SigninTransactionsTable } from './tables.ts';
import type { MethodUse } from '../policy/strengths.ts';

/**
 * A sign-in in progress, kept in the store so any node can continue it. Each
 * step loads it, does one thing and saves it. It is bound to the browser that
 * started it by a secret in a cookie: knowing the id alone continues nothing.
 */
export const TRANSACTION_TTL_MS = 15 * 60 * 1000;

export interface SigninTransaction {
  id: string;
  interactionUid: string | null;
  clientId: string | null;
  returnTo: string | null;
  usernameTyped: string | null;
  userId: string | null;
  step: SigninStep;
  methodsUsed: string[];
  methodsTried: string[];
  requiredAcr: string | null;
  /** browser, or radius: which kind of client the sign-in serves (policy's client type, the methods it can offer). */
  clientType: 'browser' | 'radius';
  sessionId: string | null;
  enrolmentId: string | null;
  /** Properties of the methods used, by method (a WebAuthn assertion's flags): what strengths look at. */
  methodDetails: Record<string, Omit<MethodUse, 'method'>>;
  ip: string | null;
  userAgent: string | null;
  expiresAt: Date;
}

function fromRow(r: SigninTransactionsTable): SigninTransaction {
  return {
    id: r.id,
    interactionUid: r.interaction_uid,
    clientId: r.client_id,
    returnTo: r.return_to,
    usernameTyped: r.username_typed,
    userId: r.user_id,
    step: r.step,
    methodsUsed: JSON.parse(r.methods_used) as string[],
    methodsTried: JSON.parse(r.methods_tried) as string[],
    requiredAcr: r.required_acr,
    clientType: r.client_type ?? 'browser',
    sessionId: r.session_id,
    enrolmentId: r.enrolment_id,
    methodDetails: r.method_details ? (JSON.parse(r.method_details) as SigninTransaction['methodDetails']) : {},
    ip: r.ip,
    userAgent: r.user_agent,
    expiresAt: new Date(r.expires_at),
  };
}

export interface StartInput {
  interactionUid?: string | null;
  clientId?: string | null;
  returnTo?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Step-up of an existing session: user known, its factors already count. */
  stepUp?: { sessionId: string; userId: string; username: string; methods: string[] };
  requiredAcr?: string | null;
  clientType?: 'browser' | 'radius';
}

export async function startTransaction(
  db: Db | Tx,
  input: StartInput,
  now = new Date(),
): Promise<{ transaction: SigninTransaction; bindingSecret: string }> {
  const bindingSecret = randomBytes(32).toString('base64url');
  const row: SigninTransactionsTable = {
    id: randomUUID(),
    binding_hash: sha256(bindingSecret),
    interaction_uid: input.interactionUid ?? null,
    client_id: input.clientId ?? null,
    return_to: input.returnTo ?? null,
    username_typed: input.stepUp?.username ?? null,
    user_id: input.stepUp?.userId ?? null,
    // Re-authenticating a known user with no second factor starts at the password.
    step: input.stepUp && input.stepUp.methods.length === 0 ? 'password' : 'identify',
    methods_used: JSON.stringify(input.stepUp?.methods ?? []),
    methods_tried: '[]',
    required_acr: input.requiredAcr ?? null,
    client_type: input.clientType ?? 'browser',
    session_id: input.stepUp?.sessionId ?? null,
    enrolment_id: null,
    ip: input.ip ?? null,
    user_agent: input.userAgent?.slice(0, 512) ?? null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    expires_at: new Date(now.getTime() + TRANSACTION_TTL_MS).toISOString(),
  };
  await db.insertInto('signin_transactions').values(row).execute();
  return { transaction: fromRow(row), bindingSecret };
}

/** The key in a sign-in page's URL: the app's interaction uid, or the transaction id for the portal. */
export function transactionKey(t: SigninTransaction): string {
  return t.interactionUid ?? t.id;
}

// Every step of every sign-in loads and saves its transaction: compiled once (src/store/compiled.ts).
const transactionByKey = compiled((db, key: string) =>
  db.selectFrom('signin_transactions').selectAll().where((eb) => eb.or([eb('id', '=', key), eb('interaction_uid', '=', key)])).orderBy('created_at', 'desc'),
);
const updateTransaction = compiled((db, id: string, usernameTyped: string | null, userId: string | null, step: string, methodsUsed: string, methodsTried: string,
  requiredAcr: string | null, sessionId: string | null, enrolmentId: string | null, methodDetails: string, updatedAt: string) =>
  db.updateTable('signin_transactions').set({
    username_typed: usernameTyped, user_id: userId, step: step as SigninStep, methods_used: methodsUsed, methods_tried: methodsTried,
    required_acr: requiredAcr, session_id: sessionId, enrolment_id: enrolmentId, method_details: methodDetails, updated_at: updatedAt,
  }).where('id', '=', id),
);

export async function loadTransaction(
  db: Db | Tx,
  key: string,
  bindingSecret: string | undefined,
  now = new Date(),
): Promise<SigninTransaction | null> {
  if (!bindingSecret || !/^[A-Za-z0-9_-]{8,64}$/.test(key)) return null;
  const row = await first(transactionByKey(db, key));
  if (!row || !secretMatches(bindingSecret, row.binding_hash)) return null;
  if (row.expires_at <= now.toISOString()) return null;
  return fromRow(row);
}

export async function saveTransaction(db: Db | Tx, t: SigninTransaction, now = new Date()): Promise<void> {
  await updateTransaction(db, t.id, t.usernameTyped, t.userId, t.step, JSON.stringify(t.methodsUsed), JSON.stringify(t.methodsTried),
    t.requiredAcr, t.sessionId, t.enrolmentId, JSON.stringify(t.methodDetails), now.toISOString());
}

/** A finished or abandoned transaction is removed so it cannot be replayed. */
export async function endTransaction(db: Db | Tx, id: string): Promise<void> {
  await db.deleteFrom('signin_transactions').where('id', '=', id).execute();
}

/**
 * Housekeeping: removes sign-ins that expired unfinished. Each one that got as
 * far as a person (a name typed, a passkey presented) ends with one
 * 'interrupted' row in the sign-in log saying where it stopped, so a sign-in
 * that ends without tokens is in the log like every other attempt; a pass
 * redeemed and then given up is 'abandoned_after_pass'. The rows are deleted
 * and logged in one serialized transaction, so with several nodes sweeping
 * each is logged once. Returns how many were logged.
 */
export async function deleteExpiredTransactions(store: Store, now = new Date()): Promise<number> {
  return store.serialized('signin-transaction-sweep', async (trx) => {
    const expired = await trx.selectFrom('signin_transactions').selectAll().where('expires_at', '<=', now.toISOString()).limit(SWEEP_BATCH).execute();
    if (!expired.length) return 0;
    await trx.deleteFrom('signin_transactions').where('id', 'in', expired.map((r) => r.id)).execute();
    let logged = 0;
    for (const t of expired.map(fromRow)) {
      // A page opened and left before anyone was named is not an attempt; a finished password reset was logged as it ended.
      if ((!t.userId && !t.usernameTyped) || t.step === 'reset_done') continue;
      await logEndedWithoutTokens(trx, t, `abandoned_at_${t.step}`, now);
      logged++;
    }
    return logged;
  });
}

/** Enough for one sweep; more wait for the next one. */
const SWEEP_BATCH = 1000;

/**
 * The one sign-in log row of an attempt that ended without tokens (left to
 * expire, or given up with "Start again"): `reason` says where it stopped,
 * unless a pass was used up in it (abandoned_after_pass).
 */
export async function logEndedWithoutTokens(db: Db | Tx, t: SigninTransaction, reason: string, at?: Date): Promise<void> {
  await writeSigninLog(db, {
    userId: t.userId, username: t.usernameTyped, clientId: t.clientId, ip: t.ip, userAgent: t.userAgent,
    methodsTried: t.methodsTried, methodsUsed: t.methodsUsed, result: 'interrupted',
    reason: t.methodsUsed.includes('tap') ? 'abandoned_after_pass' : reason, transactionId: t.id, ...(at ? { at } : {}),
  });
}
