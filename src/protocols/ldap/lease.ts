import type { Store } from '../../store/store.ts';

/**
 * One sync of a source at a time across every node: a lease row taken in a
 * serialized transaction (advisory lock on PostgreSQL, BEGIN IMMEDIATE on
 * SQLite) and held for the run, not a transaction held open over the network.
 * A node that dies mid-run frees the source when the lease runs out.
 */
const LEASE_MS = 15 * 60_000;

export async function takeLease(store: Store, sourceId: string, holder: string, now = new Date()): Promise<boolean> {
  return store.serialized(`ldap-sync:${sourceId}`, async (trx) => {
    const held = await trx.selectFrom('ldap_sync_leases').selectAll().where('source_id', '=', sourceId).executeTakeFirst();
    if (held && held.expires_at > now.toISOString() && held.holder !== holder) return false;
    const expires_at = new Date(now.getTime() + LEASE_MS).toISOString();
    if (held) await trx.updateTable('ldap_sync_leases').set({ holder, expires_at }).where('source_id', '=', sourceId).execute();
    else await trx.insertInto('ldap_sync_leases').values({ source_id: sourceId, holder, expires_at }).execute();
    return true;
  });
}

export async function releaseLease(store: Store, sourceId: string, holder: string): Promise<void> {
  await store.db.deleteFrom('ldap_sync_leases').where('source_id', '=', sourceId).where('holder', '=', holder).execute();
}
