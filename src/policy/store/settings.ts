import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { auditedChange } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';

/**
 * Conditional-access settings, kept in the store so every node sees the same
 * and every change is audited.
 */
export const EXCEPTION_MAX_DAYS_LIMIT = 90;

export const policySettingsSchema = z.strictObject({
  /** Longest an exception may last, in days (30 by default, at most 90). */
  exceptionMaxDays: z.number().int().min(1).max(EXCEPTION_MAX_DAYS_LIMIT).default(30),
  /** OIDC client ids of device-enrolment (MDM) apps: signing in there is how a device becomes compliant. */
  enrolmentApps: z.array(z.string().min(1).max(128)).max(20).default([]),
  /** Methods the helpdesk can hand anyone without a sign-in (lockout analysis counts them as bootstrap paths). */
  bootstrapMethods: z.array(z.string().min(1).max(32)).max(10).default(['tap']),
  /** Methods people can register inside a sign-in or on the portal. */
  registrableMethods: z.array(z.string().min(1).max(32)).max(10).default(['totp', 'webauthn']),
});
export type PolicySettings = z.output<typeof policySettingsSchema>;
export const policySettingsPatchSchema = policySettingsSchema.partial();

export async function loadPolicySettings(db: Db | Tx): Promise<PolicySettings> {
  const rows = await db.selectFrom('policy_settings').selectAll().execute();
  const raw: Record<string, unknown> = {};
  for (const r of rows) raw[r.key] = JSON.parse(r.value) as unknown;
  // A value written by an older version that no longer validates falls back to the default.
  const parsed = policySettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : policySettingsSchema.parse({});
}

export async function updatePolicySettings(store: Store, patch: z.input<typeof policySettingsPatchSchema>, by: ChangedBy): Promise<PolicySettings> {
  const p = policySettingsPatchSchema.parse(patch);
  return auditedChange(store, async (trx, record) => {
    const before = await loadPolicySettings(trx);
    const now = new Date().toISOString();
    for (const [key, value] of Object.entries(p)) {
      if (value === undefined) continue;
      await trx.deleteFrom('policy_settings').where('key', '=', key).execute();
      await trx.insertInto('policy_settings').values({ key, value: JSON.stringify(value), updated_at: now }).execute();
    }
    const after = await loadPolicySettings(trx);
    await record({ actor: by.actor, action: 'policy.settings', target: 'policy:settings', requestId: by.requestId, before, after });
    return after;
  });
}
