import type { Db } from '../../../store/store.ts';
import type { PushRequest } from '../../../methods/push/requests.ts';

/**
 * The app each request is for, as the person knows it: the display name of the
 * OIDC client their sign-in came from (else its client id). Resolved where the
 * request is shown (the long poll, a Web Push notice), whatever the sign-in
 * stored as the request's app.
 */
export async function appNames(db: Db, requests: readonly PushRequest[]): Promise<Map<string, string>> {
  const ids = requests.flatMap((r) => (r.transactionId ? [r.transactionId] : []));
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('signin_transactions as t')
    .innerJoin('oidc_clients as c', 'c.client_id', 't.client_id')
    .select(['t.id', 'c.client_id', 'c.name'])
    .where('t.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name || r.client_id]));
}

export function appNameOf(names: Map<string, string>, r: PushRequest): string | null {
  return (r.transactionId && names.get(r.transactionId)) || r.appName;
}
