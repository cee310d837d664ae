import type { Db, Tx } from '../../store/store.ts';
import { compiled, first } from '../../store/compiled.ts';
import type { OidcClientsTable } from './tables.ts';

/**
 * A registered client's row, as every OIDC request needs it: oidc-provider
 * looks its client up on each request, and one sign-in asks four times (the
 * authorization request, its page, the resume, the code exchange). Each
 * process keeps a row it has read for one second. A change made through this
 * process drops the row at once; another process (a second worker, another
 * node, the CLI) sees a change within that second. An unknown id is never
 * kept, so a client registered elsewhere is found on its first request.
 * Inside a transaction the row is always read afresh.
 */
const KEEP_MS = 1000;

// oidc-provider looks its client up on every request: compiled once (src/store/compiled.ts).
const clientById = compiled((db, clientId: string) => db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId));

const kept = new WeakMap<Db, Map<string, { row: OidcClientsTable; until: number }>>();

export async function clientRow(db: Db | Tx, clientId: string): Promise<OidcClientsTable | undefined> {
  if (db.isTransaction) return first(clientById(db, clientId));
  let rows = kept.get(db);
  if (!rows) kept.set(db, (rows = new Map()));
  const now = Date.now();
  const hit = rows.get(clientId);
  if (hit && hit.until > now) return hit.row;
  const row = await first(clientById(db, clientId));
  if (row) rows.set(clientId, { row, until: now + KEEP_MS });
  else rows.delete(clientId);
  return row;
}

/** After a change to a client has committed: this process reads it afresh from now on. */
export function forgetClientRow(db: Db, clientId: string): void {
  kept.get(db)?.delete(clientId);
}
