import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db, Store, Tx } from '../../store/store.ts';
import { compiled, first } from '../../store/compiled.ts';
import { clientMetadataById } from './clients.ts';
import { WriteBatcher } from '../../store/write-batch.ts';
import type { OidcPayloadsTable } from './tables.ts';
import { sha256 } from '../../app/opaque-token.ts';
import { revokeAllForAccountIn, type RevokedForAccount } from '../../directory/app-grants.ts';

/**
 * oidc-provider's storage over our store: one class serves every model
 * (Session, Grant, AccessToken, RefreshToken, AuthorizationCode, Interaction,
 * ReplayDetection, …), each row keyed by (model, id) in oidc_payloads. The
 * columns beside the JSON payload exist only so the lookups oidc-provider
 * needs (by session uid, by user code, by grant) and our own clean-ups are
 * indexed queries. Nothing here is cached: every node sees every write.
 *
 * For tokens, codes and sessions the id oidc-provider hands over is the bearer
 * value itself, so it is never stored: rows are keyed by payloadKey(id), and
 * the grant and user-code columns hold keys too (the grant row's id is a key,
 * so a grant's tokens still join to it). The payload is stored without its
 * `jti` (the id again) and gets it back on find from the id being looked up.
 * A session found by its uid cannot get its id back; oidc-provider only reads
 * those (to check that a token's or an interaction's session still exists).
 *
 * Clients are the exception: they live in our own oidc_clients table and are
 * read-only to oidc-provider (dynamic registration is off).
 */
const now = () => new Date().toISOString();
const epochOf = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function str(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

/**
 * What an oidc_payloads row is keyed by instead of the id: its SHA-256. The ids
 * carry 126 bits or more of randomness, so an unsalted hash cannot be reversed.
 * Migration 0100 converted older rows with this same function.
 */
export function payloadKey(id: string): string {
  return sha256(id);
}

function keyOrNull(value: string | null): string | null {
  return value === null ? null : payloadKey(value);
}

/** Writes rows in one statement; of two writes to one row in a batch, the later wins. */
async function upsertRows(db: Db | Tx, rows: readonly OidcPayloadsTable[]): Promise<void> {
  const latest = new Map<string, OidcPayloadsTable>();
  for (const row of rows) latest.set(`${row.model}\u0000${row.id}`, row);
  await db
    .insertInto('oidc_payloads')
    .values([...latest.values()])
    .onConflict((oc) =>
      oc.columns(['model', 'id']).doUpdateSet((eb) => ({
        payload: eb.ref('excluded.payload'),
        account_id: eb.ref('excluded.account_id'),
        grant_id: eb.ref('excluded.grant_id'),
        uid: eb.ref('excluded.uid'),
        user_code: eb.ref('excluded.user_code'),
        expires_at: eb.ref('excluded.expires_at'),
      })),
    )
    .execute();
}

// Tokens, codes and sessions written at the same moment share one commit (see WriteBatcher).
const upserts = new WeakMap<Store, WriteBatcher<OidcPayloadsTable>>();
function upsertsFor(store: Store): WriteBatcher<OidcPayloadsTable> {
  let batcher = upserts.get(store);
  if (!batcher) {
    batcher = new WriteBatcher(store, upsertRows);
    upserts.set(store, batcher);
  }
  return batcher;
}

// Every OIDC request finds and writes these rows: compiled once (src/store/compiled.ts).
const live = (column: 'id' | 'uid' | 'user_code') =>
  compiled((db, model: string, value: string, now: string) =>
    db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at']).where('model', '=', model).where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])),
  );
const FIND = { id: live('id'), uid: live('uid'), user_code: live('user_code') };
const consumeRow = compiled((db, model: string, id: string, now: string) =>
  db.updateTable('oidc_payloads').set({ consumed_at: now }).where('model', '=', model).where('id', '=', id).where('consumed_at', 'is', null),
);
const destroyRow = compiled((db, model: string, id: string) => db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id));

export class StoreAdapter implements Adapter {
  readonly #store: Store;
  readonly #model: string;
  readonly #upserts: WriteBatcher<OidcPayloadsTable>;

  constructor(store: Store, model: string) {
    this.#store = store;
    this.#model = model;
    this.#upserts = upsertsFor(store);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.#model === 'Client') throw new Error('clients are managed with tessera client / the admin API, not by oidc-provider');
    const row: OidcPayloadsTable = {
      model: this.#model,
      id: payloadKey(id),
      payload: JSON.stringify({ ...payload, jti: undefined }),
      account_id: str(payload.accountId),
      grant_id: keyOrNull(str(payload.grantId)),
      uid: this.#model === 'Session' ? str(payload.uid) : null,
      user_code: keyOrNull(str(payload.userCode)),
      expires_at: expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
      consumed_at: null,
    };
    await this.#upserts.submit(row);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.#model === 'Client') return clientMetadataById(this.#store.db, id);
    const found = await this.#findWhere('id', payloadKey(id));
    return found && { ...found, jti: id };
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere('user_code', payloadKey(userCode));
  }

  async consume(id: string): Promise<void> {
    await this.#upserts.settled();
    await consumeRow(this.#store.db, this.#model, payloadKey(id), now());
  }

  async destroy(id: string): Promise<void> {
    await this.#upserts.settled();
    await destroyRow(this.#store.db, this.#model, payloadKey(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#upserts.settled();
    await this.#store.db.deleteFrom('oidc_payloads').where('model', '=', this.#model).where('grant_id', '=', payloadKey(grantId)).execute();
  }

  async #findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await first(FIND[column](this.#store.db, this.#model, value, now()));
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at ? { ...payload, consumed: epochOf(row.consumed_at) } : payload;
  }
}

/** The factory oidc-provider's `adapter` setting takes: one adapter per model name. */
export function adapterFactory(store: Store): (model: string) => Adapter {
  return (model) => new StoreAdapter(store, model);
}

/** Deletes rows whose lifetime is over; returns how many went. The server runs this on a timer. */
export async function cleanupExpired(store: Store): Promise<number> {
  const result = await store.db.deleteFrom('oidc_payloads').where('expires_at', '<=', now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// The table-level revocation lives in the directory (below the flows that end access); kept importable from here.
export { revokeAllForAccountIn, type RevokedForAccount };

/**
 * Signs an account out of every app: deletes its provider sessions, its grants
 * and every code and token issued under those grants (refresh tokens included),
 * so no relying party can refresh or introspect them any more.
 */
export async function revokeAllForAccount(store: Store, accountId: string): Promise<RevokedForAccount> {
  // Tokens being written right now are written before they are revoked, not after.
  await upsertsFor(store).settled();
  return store.db.transaction().execute((trx) => revokeAllForAccountIn(trx, accountId));
}
