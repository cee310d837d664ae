import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../app/context.ts';
import type { Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { Alert } from '../alerts.ts';
import { sendNotice } from '../notify/send.ts';
import { loadDetectionSettings } from './settings.ts';
import { examineBatch } from './findings.ts';
import { BATCH, readNewAudit, readNewSignins } from './gather.ts';
import { startPeriodic, type Periodic } from '../../app/periodic.ts';
import { raiseFinding } from './raise.ts';

/**
 * The scanner: every node runs it every few seconds; a lease in the store
 * lets one of them read the sign-in log and the audit log after the stored
 * cursor, off every sign-in's path. Alerts, risk, notices and the moved
 * cursor commit in one transaction that first checks the cursor is still
 * where the scan began, and every finding's dedupe key is unique: a node
 * that lost its lease mid-scan, or two runs at once, raise nothing twice.
 */
const STATE = 'scanner';
const LEASE_MS = 60_000;
/** Rows younger than this are left for the next scan: a sign-in's row may still be committing. */
export const SETTLE_MS = 5_000;

export interface ScanResult {
  /** Why nothing was scanned: another node holds the lease, or moved the cursor first. */
  skipped: 'lease' | 'superseded' | null;
  signins: number;
  auditEntries: number;
  alerts: Alert[];
  notices: number;
  unmailed: number;
}

async function takeLease(store: Store, holder: string, now: Date): Promise<boolean> {
  if (await leaseOnce(store, holder, now)) return true;
  // The row is made by the migration; should it have gone, start again from now rather than stall.
  const exists = await store.db.selectFrom('detection_state').select('name').where('name', '=', STATE).executeTakeFirst();
  if (exists) return false;
  const audit = await store.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  await store.db.insertInto('detection_state')
    .values({ name: STATE, signin_at: now.toISOString(), signin_id: '', audit_seq: Number(audit?.seq ?? 0), lease_holder: null, lease_expires_at: null, scanned_at: null, unmailed: 0 })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  return leaseOnce(store, holder, now);
}

async function leaseOnce(store: Store, holder: string, now: Date): Promise<boolean> {
  const r = await store.db.updateTable('detection_state')
    .set({ lease_holder: holder, lease_expires_at: new Date(now.getTime() + LEASE_MS).toISOString() })
    .where('name', '=', STATE)
    .where((eb) => eb.or([eb('lease_holder', '=', holder), eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now.toISOString())]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

class Superseded extends Error {}

/** What has done its work: risk that ended, dedupe keys and links far older than any window that reads them. */
const KEEP_MS = 31 * 24 * 3600_000;

async function sweep(trx: Tx, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - KEEP_MS).toISOString();
  await trx.deleteFrom('risk_signals').where('expires_at', '<', cutoff).execute();
  await trx.deleteFrom('detection_hits').where('created_at', '<', cutoff).execute();
  await trx.deleteFrom('report_links').where('expires_at', '<', cutoff).execute();
}

/** One scan now, as `holder` (a node's id). Tests call it directly. */
export async function scanOnce(ctx: Pick<AppContext, 'store' | 'config' | 'logger'>, holder: string, now = new Date()): Promise<ScanResult> {
  const { store } = ctx;
  const result: ScanResult = { skipped: null, signins: 0, auditEntries: 0, alerts: [], notices: 0, unmailed: 0 };
  if (!(await takeLease(store, holder, now))) return { ...result, skipped: 'lease' };
  const state = await store.db.selectFrom('detection_state').selectAll().where('name', '=', STATE).executeTakeFirstOrThrow();
  const s = await loadDetectionSettings(store.db);
  const signins = await readNewSignins(store.db, { at: state.signin_at, id: state.signin_id }, new Date(now.getTime() - SETTLE_MS).toISOString());
  const audit = await readNewAudit(store.db, Number(state.audit_seq));
  if (signins.length === 0 && audit.length === 0) return result;
  const batch = await examineBatch(store.db, signins, audit, s);
  const last = signins[signins.length - 1];
  try {
    await auditedChange(store, async (trx, record) => {
      const moved = await trx.updateTable('detection_state')
        .set({ signin_at: last?.at ?? state.signin_at, signin_id: last?.id ?? state.signin_id, audit_seq: audit[audit.length - 1]?.seq ?? state.audit_seq, scanned_at: now.toISOString() })
        .where('name', '=', STATE).where('signin_at', '=', state.signin_at).where('signin_id', '=', state.signin_id).where('audit_seq', '=', state.audit_seq)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw new Superseded();
      for (const f of batch.findings) {
        const alert = await raiseFinding(trx, record, f, s);
        if (alert) result.alerts.push(alert);
      }
      for (const n of batch.notices) {
        const person = batch.people.get(n.userId);
        if (!person) continue;
        const sent = await sendNotice(trx, record, n, person, { issuer: ctx.config.issuer, validHours: s.reportLinkHours });
        if (sent === 'sent') result.notices++;
        if (sent === 'no_address') result.unmailed++;
      }
      await sweep(trx, now);
      if (result.unmailed) await trx.updateTable('detection_state').set((eb) => ({ unmailed: eb('unmailed', '+', result.unmailed) })).where('name', '=', STATE).execute();
    });
  } catch (err) {
    if (err instanceof Superseded) return { ...result, alerts: [], notices: 0, unmailed: 0, skipped: 'superseded' };
    throw err;
  }
  if (result.unmailed) ctx.logger.info({ count: result.unmailed }, 'notices not sent: the people have no e-mail address');
  return { ...result, signins: signins.length, auditEntries: audit.length };
}

/** Runs the scanner on this node until stopped; a failed scan is logged and tried again at the next tick. */
export function startDetections(ctx: Pick<AppContext, 'store' | 'config' | 'logger'>, tickMs = 10_000): Periodic {
  const holder = `node:${randomUUID()}`;
  let stopped = false;
  const job = startPeriodic(tickMs, async () => {
    // A full batch means more is waiting: keep going until caught up.
    for (let r = await scanOnce(ctx, holder); !stopped && r.signins + r.auditEntries >= BATCH; r = await scanOnce(ctx, holder));
  }, (err) => ctx.logger.warn({ reason: err.message }, 'detection scan failed'));
  return {
    async stop() {
      stopped = true;
      await job.stop();
      // Let another node take over at once rather than when the lease runs out.
      await ctx.store.db.updateTable('detection_state').set({ lease_holder: null, lease_expires_at: null })
        .where('name', '=', STATE).where('lease_holder', '=', holder).execute().catch(() => undefined);
    },
  };
}
