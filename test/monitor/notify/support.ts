import type { AppContext } from '../../../src/app/context.ts';
import { scanOnce, type ScanResult } from '../../../src/monitor/detections/scanner.ts';
import type { SigninTransaction } from '../../../src/signin/transaction.ts';
import { startTransaction } from '../../../src/signin/transaction.ts';
import { submitUsername } from '../../../src/signin/steps/identify.ts';
import { submitPassword } from '../../../src/signin/steps/password.ts';
import { completeSignin } from '../../../src/signin/steps/complete.ts';
import { later } from '../detections/support.ts';

/**
 * The notice tests' scaffolding: one scan now on a running server (whose own
 * scanner may hold the lease: it is taken over, as when a node stops), the
 * e-mails queued in the outbox, and a real password sign-in through the
 * engine with a given browser and address.
 */
export async function scanNow(ctx: AppContext): Promise<ScanResult> {
  for (;;) {
    await ctx.store.db.updateTable('detection_state').set({ lease_holder: null, lease_expires_at: null }).execute();
    const r = await scanOnce(ctx, 'node:test', later());
    if (!r.skipped) return r;
  }
}

export interface QueuedMail {
  key: string | null;
  to: string[];
  subject: string;
  text: string;
}

export async function queuedNotices(ctx: AppContext): Promise<QueuedMail[]> {
  const rows = await ctx.store.db.selectFrom('outbox').select(['dedupe_key', 'payload', 'created_at'])
    .where('channel', '=', 'mail').where('dedupe_key', 'like', 'notice:%').orderBy('created_at').execute();
  return rows.map((r) => ({ key: r.dedupe_key, ...(JSON.parse(r.payload) as Omit<QueuedMail, 'key'>) }));
}

export function linkIn(text: string): string {
  const m = /\/report\?link=(nm_[0-9a-f]{32}_[A-Za-z0-9_-]{43})/.exec(text);
  if (!m) throw new Error('no "this wasn\'t me" link in the mail');
  return m[1]!;
}

/** A wrong password through the engine: the row it logs, the throttle it counts. */
export async function wrongPassword(ctx: AppContext, username: string, req: { ip: string; userAgent: string }): Promise<void> {
  const { transaction } = await startTransaction(ctx.store.db, { ip: req.ip, userAgent: req.userAgent, returnTo: '/account' });
  await submitUsername(ctx, transaction, username);
  const o = await submitPassword(ctx, transaction, 'not the password at all', { ...req, requestId: 'notify-test' });
  if (o.kind === 'complete') throw new Error('a wrong password was accepted');
}

/** A password sign-in through the engine, as the pages drive it. */
export async function passwordSignin(ctx: AppContext, username: string, password: string, req: { ip: string; userAgent: string }): Promise<void> {
  const facts = { ...req, requestId: 'notify-test' };
  const { transaction } = await startTransaction(ctx.store.db, { ip: req.ip, userAgent: req.userAgent, returnTo: '/account' });
  const tx: SigninTransaction = transaction;
  await submitUsername(ctx, tx, username);
  const o = await submitPassword(ctx, tx, password, facts);
  if (o.kind !== 'complete') throw new Error(`sign-in stopped at ${o.transaction.step}`);
  const c = await completeSignin(ctx, o.transaction, facts, null, o.decision);
  if (c.kind !== 'completed') throw new Error('sign-in not completed');
}
