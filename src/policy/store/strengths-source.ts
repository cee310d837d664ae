import type { Db, Tx } from '../../store/store.ts';
import { listCustomStrengths } from './strength-catalog.ts';
import { strengthCatalog } from '../strengths.ts';
import type { StrengthCatalog } from '../strength-port.ts';

/**
 * The strength catalogue the running system evaluates with: the built-in
 * strengths (src/policy/strengths.ts) plus the organisation's custom ones
 * from the store. Evaluation itself stays pure: callers load this and pass it in.
 */
export async function loadActiveStrengths(db: Db | Tx): Promise<StrengthCatalog> {
  return strengthCatalog(await listCustomStrengths(db));
}
