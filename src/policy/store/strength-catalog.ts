import { auditedChange } from '../../audit/append.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import {
  BUILTIN_STRENGTHS, combinationWarnings, customStrength, formatCombination, parseCombination, strengthCatalog,
  StrengthError, type CustomStrengthInput, type StrengthAtom, type StrengthDefinition,
} from '../strengths.ts';

/**
 * The organisation's custom authentication strengths, stored; the built-ins
 * live in code (src/policy/strengths.ts). Changes are audited
 * 'strength.create' / 'strength.update' / 'strength.delete'.
 */
export interface AuthStrengthsTable {
  name: string;
  description: string;
  /** JSON string[]: combinations as "password+webauthn". */
  combinations: string;
  /** JSON string[]: AAGUIDs a WebAuthn atom is limited to; empty = any. */
  allowed_aaguids: string;
  created_at: string;
  updated_at: string;
}

export interface StrengthTables {
  auth_strengths: AuthStrengthsTable;
}

export interface StrengthView {
  name: string;
  displayName: string;
  description: string;
  acr: string;
  builtin: boolean;
  combinations: string[];
  allowedAaguids: string[];
  /** Combinations weaker than they may look (a single kind of factor). */
  warnings: string[];
}

export function viewOf(s: StrengthDefinition): StrengthView {
  return {
    name: s.id,
    displayName: s.displayName,
    description: s.description,
    acr: s.acr,
    builtin: s.builtin,
    combinations: s.combinations.map(formatCombination),
    allowedAaguids: [...(s.allowedAaguids ?? [])],
    warnings: combinationWarnings(s),
  };
}

function fromRow(r: AuthStrengthsTable): StrengthDefinition {
  const aaguids = JSON.parse(r.allowed_aaguids) as string[];
  return {
    id: r.name,
    displayName: r.name,
    description: r.description,
    acr: `urn:tessera:acr:custom:${r.name}`,
    builtin: false,
    combinations: (JSON.parse(r.combinations) as string[]).map((c): StrengthAtom[] => parseCombination(c)),
    ...(aaguids.length ? { allowedAaguids: aaguids } : {}),
  };
}

export async function listCustomStrengths(db: Db | Tx): Promise<StrengthDefinition[]> {
  const rows = await db.selectFrom('auth_strengths').selectAll().orderBy('name').execute();
  return rows.map(fromRow);
}

/** Built-ins first (weakest first), then the custom ones by name. */
export async function listStrengths(db: Db | Tx): Promise<StrengthDefinition[]> {
  return [...BUILTIN_STRENGTHS, ...(await listCustomStrengths(db))];
}

/** The catalogue conditional access evaluates with, custom strengths included. */
export async function loadStrengthCatalog(db: Db | Tx): Promise<ReturnType<typeof strengthCatalog>> {
  return strengthCatalog(await listCustomStrengths(db));
}

export async function findStrength(db: Db | Tx, name: string): Promise<StrengthDefinition | undefined> {
  const builtin = BUILTIN_STRENGTHS.find((s) => s.id === name);
  if (builtin) return builtin;
  const row = await db.selectFrom('auth_strengths').selectAll().where('name', '=', name.toLowerCase()).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export class StrengthNotFoundError extends StrengthError {
  override name = 'StrengthNotFoundError';
}
export class StrengthConflictError extends StrengthError {
  override name = 'StrengthConflictError';
}

interface By {
  actor: string;
  requestId?: string | null;
}

function rowOf(s: StrengthDefinition, now: string, createdAt = now): AuthStrengthsTable {
  return {
    name: s.id,
    description: s.description,
    combinations: JSON.stringify(s.combinations.map(formatCombination)),
    allowed_aaguids: JSON.stringify(s.allowedAaguids ?? []),
    created_at: createdAt,
    updated_at: now,
  };
}

export async function createStrength(store: Store, input: CustomStrengthInput, by: By): Promise<StrengthView> {
  const s = customStrength(input);
  return auditedChange(store, async (trx, record) => {
    if (await trx.selectFrom('auth_strengths').select('name').where('name', '=', s.id).executeTakeFirst()) {
      throw new StrengthConflictError(`strength ${s.id} already exists`);
    }
    await trx.insertInto('auth_strengths').values(rowOf(s, new Date().toISOString())).execute();
    const view = viewOf(s);
    await record({ actor: by.actor, action: 'strength.create', target: `strength:${s.id}`, requestId: by.requestId, after: view });
    return view;
  });
}

export async function updateStrength(
  store: Store,
  name: string,
  patch: { description?: string; combinations?: readonly string[]; allowedAaguids?: readonly string[] },
  by: By,
): Promise<StrengthView> {
  return auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('auth_strengths').selectAll().where('name', '=', name.toLowerCase()).executeTakeFirst();
    if (!row) throw new StrengthNotFoundError(BUILTIN_STRENGTHS.some((b) => b.id === name) ? `${name} is built in and cannot be changed` : `no strength named ${name}`);
    const before = viewOf(fromRow(row));
    const s = customStrength({
      name: row.name,
      description: patch.description ?? before.description,
      combinations: patch.combinations ?? before.combinations,
      allowedAaguids: patch.allowedAaguids ?? before.allowedAaguids,
    });
    await trx.updateTable('auth_strengths').set(rowOf(s, new Date().toISOString(), row.created_at)).where('name', '=', row.name).execute();
    const after = viewOf(s);
    await record({ actor: by.actor, action: 'strength.update', target: `strength:${s.id}`, requestId: by.requestId, before, after });
    return after;
  });
}

export async function deleteStrength(store: Store, name: string, by: By): Promise<void> {
  await auditedChange(store, async (trx, record) => {
    const row = await trx.selectFrom('auth_strengths').selectAll().where('name', '=', name.toLowerCase()).executeTakeFirst();
    if (!row) throw new StrengthNotFoundError(BUILTIN_STRENGTHS.some((b) => b.id === name) ? `${name} is built in and cannot be deleted` : `no strength named ${name}`);
    await trx.deleteFrom('auth_strengths').where('name', '=', row.name).execute();
    await record({ actor: by.actor, action: 'strength.delete', target: `strength:${row.name}`, requestId: by.requestId, before: viewOf(fromRow(row)) });
  });
}
