import type { Store } from '../store/store.ts';
import { entryHash, GENESIS_HASH } from './entry.ts';

export type VerifyResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; broken: { seq: number; id: string; reason: string } };

const PAGE = 1000;

/**
 * Walks the whole chain in order and stops at the first entry whose stored
 * hash, link to its predecessor or position does not hold.
 */
export async function verifyAuditChain(store: Store): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq', 'asc')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      const fail = (reason: string): VerifyResult => ({
        ok: false,
        entries: expectedSeq - 1,
        broken: { seq, id: row.id, reason },
      });
      if (seq !== expectedSeq) return fail(`entry ${expectedSeq} is missing (next entry is ${seq})`);
      if (row.prev_hash !== prevHash) return fail('does not link to the entry before it (prev_hash differs)');
      const { hash, ...rest } = row;
      if (entryHash({ ...rest, seq }) !== hash) return fail('content does not match its hash (entry was altered)');
      prevHash = hash;
      expectedSeq += 1;
    }
    if (rows.length < PAGE) return { ok: true, entries: expectedSeq - 1, head: prevHash };
  }
}
