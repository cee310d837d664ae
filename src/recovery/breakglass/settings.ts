import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';

/** How often every break-glass account must be test-signed-in; 90 days unless an admin changes it. */
export const DEFAULT_TEST_INTERVAL_DAYS = 90;

export interface BreakGlassSettings {
  testIntervalDays: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export const breakGlassSettingsSchema = z.strictObject({
  testIntervalDays: z.number().int().min(1, 'must be at least 1 day').max(365, 'must be at most 365 days'),
});

export async function loadBreakGlassSettings(db: Db | Tx): Promise<BreakGlassSettings> {
  const row = await db.selectFrom('break_glass_settings').selectAll().where('id', '=', 'default').executeTakeFirst();
  return row
    ? { testIntervalDays: Number(row.test_interval_days), updatedAt: row.updated_at, updatedBy: row.updated_by }
    : { testIntervalDays: DEFAULT_TEST_INTERVAL_DAYS, updatedAt: null, updatedBy: null };
}

/** Audited 'breakglass.settings.update'. */
export async function setBreakGlassSettings(store: Store, input: z.input<typeof breakGlassSettingsSchema>, by: ChangedBy): Promise<BreakGlassSettings> {
  const data = breakGlassSettingsSchema.parse(input);
  return auditedChange(store, async (trx, record) => {
    const before = await loadBreakGlassSettings(trx);
    const now = new Date().toISOString();
    await trx.deleteFrom('break_glass_settings').where('id', '=', 'default').execute();
    await trx.insertInto('break_glass_settings').values({ id: 'default', test_interval_days: data.testIntervalDays, updated_at: now, updated_by: by.actor }).execute();
    const after = { testIntervalDays: data.testIntervalDays, updatedAt: now, updatedBy: by.actor };
    await record({ actor: by.actor, action: 'breakglass.settings.update', target: 'break_glass_settings', requestId: by.requestId, before, after });
    return after;
  });
}
