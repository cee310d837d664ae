import type { z } from 'zod';
import { auditedChange } from '../audit/append.ts';
import type { Db, Tx } from '../store/store.ts';
import type { ChangeOptions } from './context.ts';
import { MethodError } from './errors.ts';

/**
 * Per-method settings an administrator chooses (WebAuthn's attestation policy,
 * later the rest of the methods policy): one row per method, the settings as
 * JSON. A method without a row runs on its schema's defaults. Every change is
 * audited 'method.settings.update' with the settings before and after.
 */
export interface MethodSettingsTable {
  method: string;
  settings: string;
  updated_at: string;
  updated_by: string;
}

export interface MethodSettingsTables {
  method_settings: MethodSettingsTable;
}

export interface StoredSettings<T> {
  settings: T;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A method's settings; defaults fill in what is not stored (so new fields need no migration). */
export async function readMethodSettings<S extends z.ZodType>(db: Db | Tx, method: string, schema: S): Promise<StoredSettings<z.output<S>>> {
  const row = await db.selectFrom('method_settings').selectAll().where('method', '=', method).executeTakeFirst();
  const stored: unknown = row ? JSON.parse(row.settings) : {};
  const parsed = schema.safeParse(stored);
  // Settings written by a newer version may not parse here: fall back to the defaults rather than fail sign-ins.
  const settings = parsed.success ? parsed.data : schema.parse({});
  return { settings, updatedAt: row?.updated_at ?? null, updatedBy: row?.updated_by ?? null };
}

/**
 * Applies a change to a method's settings in one audited transaction. `check`
 * sees the settings before and after, inside the transaction, and throws a
 * MethodError to refuse (e.g. a change that would lock every admin out).
 */
export async function updateMethodSettings<S extends z.ZodType>(
  store: Parameters<typeof auditedChange>[0],
  method: string,
  schema: S,
  patch: Partial<z.input<S>>,
  options: ChangeOptions,
  check?: (trx: Tx, before: z.output<S>, after: z.output<S>) => Promise<void>,
): Promise<z.output<S>> {
  return auditedChange(store, async (trx, record) => {
    const { settings: before } = await readMethodSettings(trx, method, schema);
    const merged = schema.safeParse({ ...(before as object), ...patch });
    if (!merged.success) {
      const issue = merged.error.issues[0];
      throw new MethodError('invalid_settings', `${issue?.path.join('.') || method}: ${issue?.message ?? 'invalid'}`);
    }
    const after = merged.data;
    if (check) await check(trx, before, after);
    const now = (options.now ?? new Date()).toISOString();
    const values = { method, settings: JSON.stringify(after), updated_at: now, updated_by: options.actor };
    const exists = await trx.selectFrom('method_settings').select('method').where('method', '=', method).executeTakeFirst();
    if (exists) await trx.updateTable('method_settings').set(values).where('method', '=', method).execute();
    else await trx.insertInto('method_settings').values(values).execute();
    await record({ actor: options.actor, action: 'method.settings.update', target: `method:${method}`, requestId: options.requestId, before, after });
    return after;
  });
}
