import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../store/store.ts';
import { checkpointSignatureValid, publicKeyId, type Checkpoint } from './checkpoints.ts';

const checkpointLine = z.object({
  v: z.literal(1),
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
  key: z.string(),
  sig: z.string(),
});

export interface CheckpointProblem {
  /** 1-based line of the checkpoint file. */
  line: number;
  seq?: number;
  reason: string;
}

export interface CheckpointReport {
  ok: boolean;
  checked: number;
  problems: CheckpointProblem[];
}

/** Checks one checkpoint against the key and the database's chain; null when it holds. */
async function checkOne(db: Db, publicKey: KeyObject, c: Checkpoint): Promise<string | null> {
  if (c.key !== publicKeyId(publicKey)) return `signed by key ${c.key}, not this server's checkpoint key ${publicKeyId(publicKey)}`;
  if (!checkpointSignatureValid(publicKey, c)) return 'the signature does not verify (the checkpoint was altered or forged)';
  const row = await db.selectFrom('audit_log').select('hash').where('seq', '=', c.seq).executeTakeFirst();
  if (!row) return `the database has no entry ${c.seq}: entries were removed after this checkpoint`;
  if (row.hash !== c.hash) return `entry ${c.seq} has hash ${row.hash.slice(0, 16)}… in the database but ${c.hash.slice(0, 16)}… at ${c.at}: the chain was rewritten`;
  return null;
}

/**
 * Every line of a checkpoint file (JSON lines as the file sink writes them; a
 * webhook or syslog receiver can keep the same lines): each signature must
 * verify under this server's key, and the database must still hold the
 * checkpointed hash at the checkpointed position.
 */
export async function verifyCheckpoints(db: Db, publicKey: KeyObject, text: string): Promise<CheckpointReport> {
  const problems: CheckpointProblem[] = [];
  let checked = 0;
  for (const [i, raw] of text.split('\n').entries()) {
    if (!raw.trim()) continue;
    checked += 1;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push({ line: i + 1, reason: 'not a JSON checkpoint' });
      continue;
    }
    const parsed = checkpointLine.safeParse(json);
    if (!parsed.success) {
      problems.push({ line: i + 1, reason: 'not a checkpoint (expected v, seq, hash, at, key, sig)' });
      continue;
    }
    const reason = await checkOne(db, publicKey, parsed.data);
    if (reason) problems.push({ line: i + 1, seq: parsed.data.seq, reason });
  }
  if (checked === 0) problems.push({ line: 0, reason: 'the file holds no checkpoints' });
  return { ok: problems.length === 0, checked, problems };
}
