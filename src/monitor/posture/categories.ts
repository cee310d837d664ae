/**
 * What kind of app an OIDC client, SAML service provider or RADIUS client is,
 * so the posture checklist can ask whether mail, cloud and VPN access (the
 * roll-out's second and third steps) need MFA. Unset: other.
 */
export const APP_CATEGORIES = ['mail', 'cloud', 'vpn', 'critical', 'other'] as const;
export type AppCategory = (typeof APP_CATEGORIES)[number];

export function isAppCategory(value: string): value is AppCategory {
  return (APP_CATEGORIES as readonly string[]).includes(value);
}

/** For the CLI's --category flag: the value, or the sentence saying what is allowed. */
export function readCategoryFlag(value: string | undefined): { category?: AppCategory; error?: string } {
  if (value === undefined) return {};
  return isAppCategory(value) ? { category: value } : { error: `--category must be one of ${APP_CATEGORIES.join(', ')}` };
}
