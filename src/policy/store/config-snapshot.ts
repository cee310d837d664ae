import type { Db, Tx } from '../../store/store.ts';
import type { PolicySet } from '../model.ts';
import { strengthCatalog, type StrengthDefinition } from '../strengths.ts';
import type { StrengthCatalog } from '../strength-port.ts';
import { listCustomStrengths } from '../../signin/strength-catalog.ts';
import { getWebauthnSettings, type WebauthnSettings } from '../../methods/webauthn/settings.ts';
import { loadPolicySet } from './policies.ts';
import { listStages, type Stage } from './rollout.ts';

/**
 * The configuration every sign-in step decides with: conditional-access
 * policies, named locations and exceptions, custom strengths, the WebAuthn
 * settings and the roll-out stages.
 *
 * Reading and schema-checking all of it on every step was most of a step's
 * database work, so each process keeps the last copy it read and reuses it
 * while the audit log has not moved. Every change to any of it is an audited
 * change, committed in the same transaction as its audit entry, and the audit
 * log is shared by every node: its newest sequence number is a version all
 * nodes agree on. One indexed read per step tells whether the copy is current.
 *
 * Time still passes without writes: exceptions are kept with their windows and
 * the evaluator checks each window against the time of the sign-in.
 */
export interface ConfigSnapshot {
  set: PolicySet;
  customStrengths: readonly StrengthDefinition[];
  /** The built-in strengths and the custom ones, as evaluation takes them. */
  catalog: StrengthCatalog;
  webauthn: WebauthnSettings;
  stages: readonly Stage[];
}

interface Cached {
  seq: number;
  snapshot: Promise<ConfigSnapshot>;
}

const cache = new WeakMap<Db, Cached>();

async function load(db: Db | Tx, now: Date): Promise<ConfigSnapshot> {
  const customStrengths = await listCustomStrengths(db);
  return Object.freeze({
    set: await loadPolicySet(db, now),
    customStrengths: Object.freeze(customStrengths),
    catalog: strengthCatalog(customStrengths),
    webauthn: await getWebauthnSettings(db),
    stages: Object.freeze(await listStages(db)),
  });
}

async function auditHead(db: Db): Promise<number> {
  const row = await db.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

/**
 * The current configuration. Inside a transaction it is read afresh (the
 * caller may be changing it); otherwise the process's copy is used when the
 * audit log's head has not moved since it was read.
 */
export async function configSnapshot(db: Db | Tx, now = new Date()): Promise<ConfigSnapshot> {
  if (db.isTransaction) return load(db, now);
  const root = db as Db;
  // Read the version first: whatever is loaded after it is at least that new.
  const seq = await auditHead(root);
  const hit = cache.get(root);
  if (hit && hit.seq === seq) return hit.snapshot;
  const snapshot = load(root, now);
  cache.set(root, { seq, snapshot });
  // A failed read must not stay cached.
  snapshot.catch(() => cache.get(root)?.snapshot === snapshot && cache.delete(root));
  return snapshot;
}
