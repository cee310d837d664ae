import { sql } from 'kysely';
import type { Db, Store, Tx } from '../../store/store.ts';
import { compiled, first } from '../../store/compiled.ts';
import { changeStamp } from '../../store/change-stamp.ts';
import type { PolicySet } from '../model.ts';
import { strengthCatalog, type StrengthDefinition } from '../strengths.ts';
import type { StrengthCatalog } from '../strength-port.ts';
import { listCustomStrengths } from './strength-catalog.ts';
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
 * log is shared by every node: its newest sequence number (with the count of
 * migrations run) is a version all nodes agree on. One indexed read per step
 * tells whether the copy is current; on SQLite not even that while nothing was
 * committed since the last look (src/store/change-stamp.ts).
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
  version: string;
  /** The change stamp read before that version was (src/store/change-stamp.ts); null: none. */
  stamp: string | null;
  snapshot: Promise<ConfigSnapshot>;
}

const cache = new WeakMap<Db, Cached>();

/** The configuration as stored now, read afresh (inside a transaction, this is the one to use). */
export async function readSigninConfig(db: Db | Tx, now = new Date()): Promise<ConfigSnapshot> {
  const customStrengths = await listCustomStrengths(db);
  return Object.freeze({
    set: await loadPolicySet(db, now),
    customStrengths: Object.freeze(customStrengths),
    catalog: strengthCatalog(customStrengths),
    webauthn: await getWebauthnSettings(db),
    stages: Object.freeze(await listStages(db)),
  });
}

/**
 * The version of the configuration: the audit log's newest entry, and how
 * many migrations have run (a migration may change configuration without an
 * audit entry, e.g. default policies, and another node must see that too).
 */
// Asked by every decision: compiled once (src/store/compiled.ts).
const versionRow = compiled((db) =>
  db.selectNoFrom((eb) => [
    eb.selectFrom('audit_log').select((e) => e.fn.max('seq').as('seq')).as('audit'),
    sql<number>`(select count(*) from schema_migrations)`.as('migrations'),
  ]),
);

async function configVersion(db: Db): Promise<string> {
  const row = await first(versionRow(db));
  if (!row) throw new Error('no answer to the configuration version query');
  return `${Number(row.audit ?? 0)}:${Number(row.migrations)}`;
}

/**
 * The current configuration, from this process's copy when the audit log's
 * head has not moved since it was read. Takes the store, not a transaction
 * handle: a caller inside a transaction may be changing the configuration and
 * reads it with readSigninConfig instead. Exceptions are kept from a day before
 * the first read on (older ones can no longer apply to any sign-in from now on).
 */
export async function configSnapshot(store: Pick<Store, 'db'>, now = new Date()): Promise<ConfigSnapshot> {
  const root = store.db;
  // Where the store can tell that nothing was committed since the copy was checked, no query at all.
  const stamp = changeStamp(root);
  const hit = cache.get(root);
  if (hit && stamp !== null && hit.stamp === stamp) return hit.snapshot;
  // Read the version first: whatever is loaded after it is at least that new.
  const version = await configVersion(root);
  if (hit && hit.version === version) {
    hit.stamp = stamp;
    return hit.snapshot;
  }
  const snapshot = readSigninConfig(root, now);
  cache.set(root, { version, stamp, snapshot });
  // A failed read must not stay cached.
  snapshot.catch(() => cache.get(root)?.snapshot === snapshot && cache.delete(root));
  return snapshot;
}
