import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';

/**
 * Detection thresholds, kept in the store so every node scans with the same
 * ones and every change is audited ('detection.settings'). A key not stored
 * runs on its default; the defaults are meant to be quiet on a normal day.
 */
const count = (max: number) => z.number().int().min(1).max(max);
const minutes = count(7 * 24 * 60);

export const detectionSettingsSchema = z.strictObject({
  /** Failed sign-ins on one account within the window. */
  bruteForce: z.strictObject({ failures: count(1000).default(10), windowMinutes: minutes.default(15) }).prefault({}),
  /** One address failing on many accounts, few tries on each. */
  sprayFromAddress: z.strictObject({
    accounts: count(10_000).default(10), maxTriesPerAccount: count(100).default(3), windowMinutes: minutes.default(60),
  }).prefault({}),
  /** Many accounts failing a few times each from many addresses (a spray spread over a botnet). */
  sprayDistributed: z.strictObject({
    accounts: count(100_000).default(30), addresses: count(100_000).default(10), maxTriesPerAccount: count(100).default(3), windowMinutes: minutes.default(60),
  }).prefault({}),
  /** Two sign-ins further apart than an airliner flies in the time between them. */
  impossibleTravel: z.strictObject({ speedKmh: count(10_000).default(1000), minDistanceKm: count(20_000).default(500) }).prefault({}),
  /** How far back a person's countries and devices are remembered. */
  historyDays: count(730).default(90),
  /** An app whose sign-ins fail this often, with at least minAttempts in the window. */
  appFailureRate: z.strictObject({
    minAttempts: count(100_000).default(20), rate: z.number().gt(0).max(1).default(0.5), windowMinutes: minutes.default(15),
  }).prefault({}),
  /** A sign-in this soon after a "this wasn't me" report. */
  afterReportHours: count(24 * 30).default(24),
  /** A method added this soon after a risky sign-in. */
  methodAfterRiskyMinutes: count(24 * 60).default(60),
  /** One alert per kind and subject within this window. */
  dedupeMinutes: minutes.default(60),
  /** How long a detection's risk lasts, unless its alert is acknowledged first. */
  riskHours: count(24 * 30).default(24),
  /** How long a "this wasn't me" link works. */
  reportLinkHours: count(24 * 14).default(72),
  /** E-mail people about changes to their account and sign-ins from a new device or country. */
  notifyPeople: z.boolean().default(true),
});
export type DetectionSettings = z.output<typeof detectionSettingsSchema>;
export const detectionSettingsPatchSchema = detectionSettingsSchema.partial();
export type DetectionSettingsPatch = z.input<typeof detectionSettingsPatchSchema>;

export async function loadDetectionSettings(db: Db | Tx): Promise<DetectionSettings> {
  const rows = await db.selectFrom('detection_settings').select(['key', 'value']).execute();
  const raw: Record<string, unknown> = {};
  for (const r of rows) raw[r.key] = JSON.parse(r.value) as unknown;
  // A value an older or newer version wrote that no longer validates falls back to the defaults.
  const parsed = detectionSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : detectionSettingsSchema.parse({});
}

/** Replaces the given top-level keys (a nested object is given whole, missing fields take their defaults). */
export async function updateDetectionSettings(store: Store, patch: DetectionSettingsPatch, by: ChangedBy): Promise<DetectionSettings> {
  const p = detectionSettingsPatchSchema.parse(patch);
  return auditedChange(store, async (trx, record) => {
    const before = await loadDetectionSettings(trx);
    const now = new Date().toISOString();
    for (const [key, value] of Object.entries(p)) {
      if (value === undefined) continue;
      await trx.deleteFrom('detection_settings').where('key', '=', key).execute();
      await trx.insertInto('detection_settings').values({ key, value: JSON.stringify(value), updated_at: now, updated_by: by.actor }).execute();
    }
    const after = await loadDetectionSettings(trx);
    await record({ actor: by.actor, action: 'detection.settings', target: 'detection:settings', requestId: by.requestId, before, after });
    return after;
  });
}
