import { z } from 'zod';
import type { Db, Store, Tx } from '../../store/store.ts';
import { activeGlobalAdminIds } from '../../directory/last-admin.ts';
import type { ChangeOptions } from '../context.ts';
import { MethodError } from '../errors.ts';
import { readMethodSettings, updateMethodSettings } from '../settings.ts';

const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The WebAuthn part of the methods settings.
 * - attestation: 'none' accepts any authenticator; 'allowlist' asks for an
 *   attestation at registration and accepts only the listed models (AAGUIDs),
 *   for everyone or only for holders of an administrative role. It applies
 *   when a credential is registered: remove older ones to enforce it on them.
 * - adminsRequirePhishingResistant: administrators must sign in with a security
 *   key or passkey; one without is sent to register one (on by default).
 */
export const webauthnSettingsSchema = z
  .object({
    attestation: z.enum(['none', 'allowlist']).default('none'),
    aaguids: z
      .array(z.string().trim().toLowerCase().regex(AAGUID, 'must be AAGUIDs (8-4-4-4-12 hex digits)'))
      .max(100)
      .default([])
      .transform((list) => [...new Set(list)]),
    appliesTo: z.enum(['everyone', 'admins']).default('everyone'),
    adminsRequirePhishingResistant: z.boolean().default(true),
  })
  .refine((s) => s.attestation === 'none' || s.aaguids.length > 0, { message: 'an allow-list needs at least one AAGUID', path: ['aaguids'] });

export type WebauthnSettings = z.output<typeof webauthnSettingsSchema>;
export type WebauthnSettingsPatch = Partial<z.input<typeof webauthnSettingsSchema>>;

export async function getWebauthnSettings(db: Db | Tx): Promise<WebauthnSettings> {
  return (await readMethodSettings(db, 'webauthn', webauthnSettingsSchema)).settings;
}

/** Whether registrations by this user must come from an allowed authenticator model. */
export function allowListApplies(settings: WebauthnSettings, isAdmin: boolean): boolean {
  return settings.attestation === 'allowlist' && (settings.appliesTo === 'everyone' || isAdmin);
}

/** A refusal the caller shows as a conflict (409), with the reason. */
export class SettingsRefusedError extends MethodError {
  override name = 'SettingsRefusedError';
  constructor(message: string) {
    super('invalid_settings', message);
  }
}

/** Active global admins holding a security key or passkey that the settings accept for an admin. */
export async function globalAdminsWithPhishingResistant(db: Db | Tx, settings: WebauthnSettings): Promise<string[]> {
  const admins = await activeGlobalAdminIds(db);
  if (admins.length === 0) return [];
  const rows = await db.selectFrom('webauthn_credentials').select(['user_id', 'aaguid']).where('user_id', 'in', admins).execute();
  const listed = allowListApplies(settings, true);
  return [...new Set(rows.filter((r) => !listed || settings.aaguids.includes(r.aaguid)).map((r) => r.user_id))];
}

/**
 * Changes the WebAuthn settings (audited 'method.settings.update'). Requiring
 * phishing-resistant MFA for admins, or narrowing which keys count for them
 * while it is required, is refused when no active global admin holds such a
 * key yet: the organisation would have no administrator able to finish a sign-in
 * without first finding hardware that fits. (A fresh installation starts with the
 * requirement on; its first admin registers a key inside the first sign-in.)
 */
export async function setWebauthnSettings(store: Store, patch: WebauthnSettingsPatch, options: ChangeOptions): Promise<WebauthnSettings> {
  return updateMethodSettings(store, 'webauthn', webauthnSettingsSchema, patch, options, async (trx, before, after) => {
    if (!after.adminsRequirePhishingResistant) return;
    const switchedOn = !before.adminsRequirePhishingResistant;
    const narrowed = before.attestation !== after.attestation || before.appliesTo !== after.appliesTo
      || before.aaguids.join() !== after.aaguids.join();
    if (!switchedOn && !narrowed) return;
    if ((await globalAdminsWithPhishingResistant(trx, after)).length > 0) return;
    const which = allowListApplies(after, true) ? 'a security key or passkey of an allowed model' : 'a security key or passkey';
    throw new SettingsRefusedError(
      `refused: no active global admin has ${which}, so requiring phishing-resistant MFA for admins would strand every global admin; `
        + 'register one first (the security page, /account/webauthn)',
    );
  });
}
