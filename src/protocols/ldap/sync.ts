import { randomUUID } from 'node:crypto';
import { lazyModule } from '../../app/lazy.ts';
import { auditedChange } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import { DirectoryError, RefusedError, type ChangedBy } from '../../directory/errors.ts';
import type { Store } from '../../store/store.ts';
import { applyChange } from './apply.ts';
import { releaseLease, takeLease } from './lease.ts';
import { planSync } from './plan.ts';
import type { DirectorySnapshot } from './read.ts';
import { countLines, describe, type SyncReport } from './report.ts';
import { actorOf, bindPasswordOf, getSource, type DirectorySource } from './sources.ts';
import { ownedState } from './state.ts';

export interface SyncOptions {
  dryRun?: boolean;
  /** The clock, injectable so a test can pass the grace period. */
  now?: () => Date;
  /** Who asked (an admin, the CLI, or "system" for the schedule): recorded with the run. */
  by: ChangedBy;
}

// The LDAP client library (and what reads a directory with it) is loaded by the first sync, not at start-up:
// a server without directory sources never needs it. Errors are told apart with this same module's classes.
const directory = lazyModule(async () => ({ ...(await import('./connect.ts')), ...(await import('./read.ts')) }));

async function snapshotOf(store: Store, secrets: SecretBox, source: DirectorySource): Promise<DirectorySnapshot> {
  const password = await bindPasswordOf(store.db, secrets, source.id);
  const { withBoundClient, readDirectory } = await directory();
  return withBoundClient(source.settings, source.settings.bindDn, password, (c) => readDirectory(c, source.settings));
}

async function run(store: Store, secrets: SecretBox, source: DirectorySource, o: SyncOptions): Promise<SyncReport> {
  const now = o.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const snapshot = await snapshotOf(store, secrets, source);
  const state = await ownedState(store.db, source.id);
  const changes = planSync({ snapshot, ...state, adoptLocal: source.settings.adoptLocal, now: now(), offboardAfterDays: source.settings.offboardAfterDays });
  // Every change is made as the source, whoever started the run: the audit log says where it came from.
  const as: ChangedBy = { actor: actorOf(source.name), requestId: o.by.requestId };
  const lines = [];
  for (const c of changes) {
    const line = describe(c);
    if (!o.dryRun && c.kind !== 'skip') {
      const refused = await applyChange(store, source, c, as, now());
      if (refused) line.refused = refused;
    }
    lines.push(line);
  }
  return { source: source.name, dryRun: !!o.dryRun, startedAt, finishedAt: now().toISOString(), counts: countLines(lines), lines };
}

/** Records a run (dry or not) with its audit entry: who asked, as what, and the counts. */
async function recordRun(store: Store, source: DirectorySource, o: SyncOptions, report: SyncReport | null, error: string | null, startedAt: string): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const id = randomUUID();
    await trx.insertInto('ldap_sync_runs').values({
      id, source_id: source.id, started_at: report?.startedAt ?? startedAt, finished_at: report?.finishedAt ?? new Date().toISOString(),
      dry_run: o.dryRun ? 1 : 0, actor: o.by.actor, report: JSON.stringify(report ?? {}), error,
    }).execute();
    await record({
      actor: o.by.actor, action: o.dryRun ? 'directory.sync.dry_run' : 'directory.sync', target: `ldap:${source.id}`, requestId: o.by.requestId,
      after: { run: id, source: source.name, counts: report?.counts ?? {}, error },
    });
  });
}

/** Runs `fn` holding the source's lease; null when another run holds it. */
async function leased<T>(store: Store, sourceId: string, fn: () => Promise<T>): Promise<T | null> {
  const holder = randomUUID();
  if (!(await takeLease(store, sourceId, holder))) return null;
  try {
    return await fn();
  } finally {
    await releaseLease(store, sourceId, holder);
  }
}

async function runAndRecord(store: Store, secrets: SecretBox, source: DirectorySource, o: SyncOptions): Promise<SyncReport> {
  const startedAt = new Date().toISOString();
  try {
    const report = await run(store, secrets, source, o);
    await recordRun(store, source, o, report, null, startedAt);
    return report;
  } catch (err) {
    // The reason without the bind password: ldapts errors carry the server's message, never what was sent.
    const why = (await directory()).describeLdapError(err);
    await recordRun(store, source, o, null, why, startedAt).catch(() => {});
    throw err;
  }
}

/**
 * Syncs one source: reads the directory with the bind account, plans the
 * changes, makes them (unless a dry run) and records the report. Refused while
 * another node (or another run here) holds the source's lease.
 */
export async function syncSource(store: Store, secrets: SecretBox, ref: string, o: SyncOptions): Promise<SyncReport> {
  const source = await getSource(store.db, ref);
  let report: SyncReport | null;
  try {
    report = await leased(store, source.id, () => runAndRecord(store, secrets, source, o));
  } catch (err) {
    // The directory's refusal (or silence) is the operator's to fix, told in one line; the run is recorded with it.
    if (err instanceof DirectoryError) throw err;
    throw new RefusedError(`the sync of ${source.name} failed: ${(await directory()).describeLdapError(err)}`);
  }
  if (!report) throw new RefusedError(`a sync of ${source.name} is already running`);
  return report;
}

/** When the source last synced for real (a dry run does not count), or null. */
async function lastSyncAt(store: Store, sourceId: string): Promise<string | null> {
  const row = await store.db.selectFrom('ldap_sync_runs').select('started_at').where('source_id', '=', sourceId).where('dry_run', '=', 0)
    .orderBy('started_at', 'desc').limit(1).executeTakeFirst();
  return row?.started_at ?? null;
}

/**
 * The schedule's sync: only when the source's interval has passed since its
 * last run, checked again under the lease, so of several nodes ticking at once
 * one syncs and the others find it done.
 */
export async function syncIfDue(store: Store, secrets: SecretBox, source: DirectorySource, now = new Date()): Promise<SyncReport | null> {
  const every = source.settings.intervalMinutes * 60_000;
  if (every === 0) return null;
  const due = async () => {
    const last = await lastSyncAt(store, source.id);
    return !last || now.getTime() - new Date(last).getTime() >= every;
  };
  if (!(await due())) return null;
  return leased(store, source.id, async () => ((await due()) ? runAndRecord(store, secrets, source, { by: { actor: 'system' } }) : null));
}

/** The last runs of a source, newest first. */
export async function lastRuns(store: Store, sourceId: string, limit = 10) {
  const rows = await store.db.selectFrom('ldap_sync_runs').selectAll().where('source_id', '=', sourceId).orderBy('started_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, startedAt: r.started_at, finishedAt: r.finished_at, dryRun: r.dry_run === 1, actor: r.actor, error: r.error, report: JSON.parse(r.report) as SyncReport | Record<string, never> }));
}
