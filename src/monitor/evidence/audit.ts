import type { Config } from '../../config/config.ts';
import type { Store } from '../../store/store.ts';
import { checkpointKey, checkpointSignatureValid, type Checkpoint } from '../../audit/checkpoints.ts';
import { verifyAuditChain } from '../../audit/verify.ts';
import { figure, table, type Cell, type EvidencePeriod, type EvidenceSection } from './model.ts';

/** The checkpoint a queued delivery carries: the file line, the webhook document or the syslog text. */
function checkpointIn(payload: string): Checkpoint | null {
  const p = JSON.parse(payload) as { line?: string; text?: string; document?: { checkpoint?: Checkpoint } };
  if (p.document?.checkpoint) return p.document.checkpoint;
  const line = p.line ?? p.text;
  return line ? (JSON.parse(line) as Checkpoint) : null;
}

/** The newest checkpoint queued for the configured sinks (outbox/checkpoints.ts), checked against the key and the chain. */
async function newestCheckpoint(store: Store, config: Config): Promise<Record<string, Cell> | null> {
  const row = await store.db.selectFrom('outbox').select(['payload', 'status']).where('dedupe_key', 'like', 'audit-checkpoint:%')
    .orderBy('created_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
  const c = row ? checkpointIn(row.payload) : null;
  if (!c) return null;
  const entry = await store.db.selectFrom('audit_log').select('hash').where('seq', '=', c.seq).executeTakeFirst();
  return {
    seq: c.seq, hash: c.hash, at: c.at, key: c.key, delivery: row!.status,
    signatureValid: checkpointSignatureValid(checkpointKey(config).publicKey, c), matchesChain: entry?.hash === c.hash,
  };
}

/** The audit chain, verified entry by entry when the pack is made, its head, and the entries the period added. */
export async function auditSection(store: Store, config: Config, period: EvidencePeriod): Promise<EvidenceSection> {
  const chain = await verifyAuditChain(store);
  const inPeriod = await store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('at', '>=', period.from).where('at', '<=', period.to).executeTakeFirstOrThrow();
  const checkpoint = await newestCheckpoint(store, config);
  return {
    id: 'audit',
    title: 'Audit log',
    about: 'Every change is written to an append-only log whose entries are linked by SHA-256 hashes. The whole chain was verified when the pack was made; a checkpoint is the signed head sent outside the database, which pins what the chain was.',
    figures: [
      figure('verified', 'Chain verifies', chain.ok),
      figure('entries', chain.ok ? 'Entries' : 'Entries that verify before the break', chain.entries),
      figure('headHash', 'Head hash', chain.ok ? chain.head : null),
      figure('broken', 'Where the chain breaks', chain.ok ? null : `entry ${chain.broken.seq}: ${chain.broken.reason}`),
      figure('entriesInPeriod', 'Entries written in the period', Number(inPeriod.n)),
      figure('checkpoint', 'Newest checkpoint', checkpoint ? `entry ${checkpoint.seq} at ${checkpoint.at}` : 'none yet (checkpoints are sent only where a checkpoint sink is configured)'),
    ],
    tables: [
      table('audit-checkpoint', 'Newest checkpoint', [
        ['seq', 'Entry'], ['hash', 'Hash'], ['at', 'Signed at'], ['key', 'Key id'], ['delivery', 'Delivery'], ['signatureValid', 'Signature valid'], ['matchesChain', 'Matches the chain'],
      ], checkpoint ? [checkpoint] : []),
    ],
  };
}
