import type { GrantInstance, Interaction, InteractionResults, KoaContextWithOIDC } from 'oidc-provider';

/**
 * Tessera signs people in to their organisation's own apps, each registered by
 * an administrator, so users are not asked to consent: the grant for a client
 * simply covers the OpenID scopes and claims the app asked for (offline_access
 * only reaches here when the app sent prompt=consent, as OpenID Connect
 * requires). This is oidc-provider's loadExistingGrant hook.
 */
export async function loadOrCreateGrant(ctx: KoaContextWithOIDC): Promise<GrantInstance | undefined> {
  const { oidc } = ctx;
  const client = oidc.client;
  const accountId = oidc.session?.accountId;
  if (!client || !accountId) return undefined;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
  let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId)) grant = undefined;
  grant ??= new oidc.provider.Grant({ accountId, clientId: client.clientId });

  const scopes = [...oidc.requestParamOIDCScopes];
  const claims = [...oidc.requestParamClaims];
  const granted = new Set(grant.getOIDCScope().split(' ').filter(Boolean));
  if (!grantId || scopes.some((s) => !granted.has(s)) || claims.length) {
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
  }
  return grant;
}

/**
 * What the sign-in pages hand to interactionFinished for a "consent" prompt
 * (oidc-provider asks for one when the app sent prompt=consent, and always for
 * native apps): the grant is created by loadOrCreateGrant when the request
 * resumes, so nothing needs asking.
 */
export function consentResult(_interaction: Interaction): InteractionResults {
  return { consent: {} };
}
