import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { APP_CATEGORIES, type AppCategory } from '../../monitor/posture/categories.ts';
import { auditedChange } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import { ConflictError, InvalidInputError, NotFoundError, type ChangedBy } from '../../directory/errors.ts';
import { compileIpRanges, normalizeIp, rangeProblem, type IpMatcher } from '../../policy/ip-ranges.ts';
import type { Db, Store } from '../../store/store.ts';
import type { RadiusClientsTable, RadiusMode } from './tables.ts';

/**
 * The RADIUS clients (NAS) allowed to ask Tessera. Each is recognised by the
 * source address of its packets and shares a secret with Tessera, sealed at
 * rest with the master key; every change is audited. In policies a NAS is the
 * app `radius:<name>`.
 */
export const SECRET_PURPOSE = 'radius-secret';
export const appIdOf = (name: string) => `radius:${name}`;

export interface RadiusClient {
  id: string;
  name: string;
  address: string;
  mode: RadiusMode;
  category: AppCategory;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export const newRadiusClientSchema = z.strictObject({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'use letters, digits, ".", "-" or "_" (at most 63)'),
  address: z.string().trim().min(2).max(64).describe('The address or CIDR block the NAS sends from'),
  // RFC 2865 asks for at least 16 octets of secret; shorter ones are guessable offline from one packet.
  secret: z.string().min(16, 'a shared secret needs at least 16 characters').max(128),
  mode: z.enum(['challenge', 'append']).default('challenge'),
  category: z.enum(APP_CATEGORIES).default('other'),
});
export type NewRadiusClient = z.input<typeof newRadiusClientSchema>;

function toClient(r: RadiusClientsTable): RadiusClient {
  return { id: r.id, name: r.name, address: r.address, mode: r.mode, category: r.category, createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at };
}

export async function addRadiusClient(store: Store, secrets: SecretBox, input: NewRadiusClient, by: ChangedBy): Promise<RadiusClient> {
  const parsed = newRadiusClientSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues[0]!.message);
  const c = parsed.data;
  const problem = rangeProblem(c.address);
  if (problem) throw new InvalidInputError(`address: ${problem}`);
  const now = new Date().toISOString();
  const row: RadiusClientsTable = {
    id: randomUUID(), name: c.name, name_key: c.name.toLowerCase(), address: c.address, secret_sealed: secrets.seal(c.secret, SECRET_PURPOSE),
    mode: c.mode, category: c.category, created_at: now, created_by: by.actor, updated_at: now,
  };
  return auditedChange(store, async (trx, record) => {
    const taken = await trx.selectFrom('radius_clients').select('id').where('name_key', '=', row.name_key).executeTakeFirst();
    if (taken) throw new ConflictError(`a RADIUS client named ${c.name} already exists`);
    await trx.insertInto('radius_clients').values(row).execute();
    const client = toClient(row);
    // The secret never goes into the audit log.
    await record({ actor: by.actor, action: 'radius.client.add', target: `radius:${row.id}`, requestId: by.requestId, after: client });
    return client;
  });
}

export async function listRadiusClients(db: Db): Promise<RadiusClient[]> {
  return (await db.selectFrom('radius_clients').selectAll().orderBy('name_key').execute()).map(toClient);
}

export async function removeRadiusClient(store: Store, name: string, by: ChangedBy): Promise<RadiusClient> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('radius_clients').selectAll().where('name_key', '=', name.toLowerCase()).executeTakeFirst();
    if (!row) throw new NotFoundError(`no RADIUS client ${name}`);
    await trx.deleteFrom('radius_clients').where('id', '=', row.id).execute();
    const client = toClient(row);
    await record({ actor: by.actor, action: 'radius.client.remove', target: `radius:${row.id}`, requestId: by.requestId, before: client });
    return client;
  });
}

/** A NAS as the server needs it: its secret opened, its address compiled. */
export interface KnownNas extends RadiusClient {
  secret: string;
  matcher: IpMatcher;
}

/**
 * Which NAS a packet comes from, by its source address. Every node reads the
 * table itself, so adding, changing or removing a client takes effect on
 * running nodes: the list is re-read at most every couple of seconds, and at
 * once (rate-limited) when a packet comes from an address nobody has.
 */
export class NasDirectory {
  #loaded: KnownNas[] = [];
  #at = 0;
  #pending: Promise<void> | null = null;
  readonly #db: Db;
  readonly #secrets: SecretBox;
  readonly #maxAgeMs: number;
  constructor(db: Db, secrets: SecretBox, maxAgeMs = 2000) {
    this.#db = db;
    this.#secrets = secrets;
    this.#maxAgeMs = maxAgeMs;
  }

  async find(address: string): Promise<KnownNas | null> {
    if (Date.now() - this.#at > this.#maxAgeMs) await this.#reload();
    let hit = this.#match(address);
    if (!hit && Date.now() - this.#at > 250) {
      await this.#reload();
      hit = this.#match(address);
    }
    return hit;
  }

  #match(address: string): KnownNas | null {
    const ip = normalizeIp(address);
    return (ip && this.#loaded.find((n) => n.matcher.matches(ip))) || null;
  }

  #reload(): Promise<void> {
    this.#pending ??= (async () => {
      try {
        const rows = await this.#db.selectFrom('radius_clients').selectAll().orderBy('created_at').execute();
        this.#loaded = rows.map((r) => ({ ...toClient(r), secret: this.#secrets.open(r.secret_sealed, SECRET_PURPOSE).toString('utf8'), matcher: compileIpRanges([r.address]) }));
        this.#at = Date.now();
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }
}
