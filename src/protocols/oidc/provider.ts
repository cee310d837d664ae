import Provider, { errors, interactionPolicy, type ClientInstance, type KoaContextWithOIDC } from 'oidc-provider';
import type { AppContext } from '../../app/context.ts';
import { deriveSubkey } from '../../config/subkeys.ts';
import { accountFinder, CLAIMS, SCOPES } from './account.ts';
import { adapterFactory } from './adapter.ts';
import { clientSecretMatches } from './clients.ts';
import { loadOrCreateGrant } from './consent.ts';
import { logoutSource, postLogoutSuccessSource, renderError } from './pages.ts';
import { ensureSigningKeys, loadSigningKeySet, type SigningKeySet } from './signing-keys.ts';
import { staticSettings } from './settings.ts';
import { ttlSettings } from './ttl.ts';
import { sessionCookieName } from '../../signin/session/cookie.ts';
import { loadSession, revokeSession } from '../../signin/session/sessions.ts';
import { accessDecisionCheck, assertRefreshAllowed, assertServiceAllowed } from './access.ts';

/** Authentication context classes Tessera issues, weakest first (the sign-in engine decides which). */
export const ACR_VALUES = [
  'urn:tessera:acr:pwd',
  'urn:tessera:acr:mfa',
  'urn:tessera:acr:passwordless-mfa',
  'urn:tessera:acr:phishing-resistant',
] as const;

/** Where oidc-provider sends the browser when it needs the user: the sign-in pages. */
export const interactionPath = (uid: string) => `/signin/${uid}`;

export interface OidcProviderOptions {
  /** Keys to sign with; loaded from the store (and created on first start) when absent. */
  signingKeys?: SigningKeySet;
}

interface TokenLike {
  clientId?: string;
  accountId?: string;
}

/**
 * Builds the OpenID Connect provider (oidc-provider 9) for this deployment:
 * issuer = TESSERA_ISSUER, state in our store, our users as accounts, signing
 * keys from our key table, clients from our client table.
 */
export async function createOidcProvider(ctx: AppContext, options: OidcProviderOptions = {}): Promise<Provider> {
  const { config, store, logger } = ctx;
  let signingKeys = options.signingKeys;
  if (!signingKeys) {
    const created = await ensureSigningKeys(store, ctx.secrets);
    for (const key of created) logger.info({ kid: key.kid, alg: key.alg }, 'created OIDC signing key');
    signingKeys = await loadSigningKeySet(store.db, ctx.secrets);
  }
  const findAccount = accountFinder(store);

  const policy = interactionPolicy.base();
  // A browser session of a user who has since been disabled or deleted must sign in
  // again rather than get a new code (oidc-provider would otherwise carry on without an account).
  policy.get('login')?.checks.add(
    new interactionPolicy.Check('account_unavailable', 'the signed-in account is no longer available', (kctx) =>
      kctx.oidc.session?.accountId && !kctx.oidc.account ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT,
    ),
  );

  // Tessera's own session is the source of truth for "signed in", and reusing it for any app
  // asks the access decision (src/protocols/oidc/access.ts): anything but "allow" brings the pages.
  policy.get('login')?.checks.add(accessDecisionCheck(ctx));

  const isPublic = (client: ClientInstance) => client.clientAuthMethod === 'none';

  const provider = new Provider(config.issuer, {
    ...staticSettings(),
    adapter: adapterFactory(store),
    // The refresh-token grant looks its account up here with the token: the access decision runs first.
    async findAccount(kctx: KoaContextWithOIDC, sub: string, token?: { kind?: string }) {
      if (token?.kind === 'RefreshToken' && kctx.oidc.route === 'token') await assertRefreshAllowed(ctx, kctx, token);
      return findAccount(kctx, sub);
    },
    // Called as a client-credentials token is saved: the access decision for the service comes first.
    async extraTokenClaims(kctx: KoaContextWithOIDC, token: { kind?: string; clientId?: string }) {
      if (token.kind === 'ClientCredentials' && token.clientId) await assertServiceAllowed(ctx, kctx, token.clientId);
      return undefined;
    },
    jwks: { keys: signingKeys.keys },
    claims: CLAIMS,
    scopes: [...SCOPES],
    acrValues: [...ACR_VALUES],
    loadExistingGrant: loadOrCreateGrant,
    rotateRefreshToken: true,
    ttl: ttlSettings(config),
    interactions: { policy, url: (_kctx: KoaContextWithOIDC, interaction: { uid: string }) => interactionPath(interaction.uid) },
    cookies: {
      names: { session: 'tessera_op_session', interaction: 'tessera_op_interaction', resume: 'tessera_op_resume' },
      // Signed (keygrip) with a key derived from the master key, the same on every node.
      keys: [deriveSubkey(config, 'oidc-cookies').toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    renderError,
    // Browsers may call the token and userinfo endpoints only for public clients, from their redirect URIs' origins.
    clientBasedCORS(_kctx: KoaContextWithOIDC, origin: string, client: ClientInstance) {
      if (origin === 'null' || !isPublic(client)) return false;
      return client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
    },
    features: {
      ...(staticSettings().features as Record<string, object>),
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      introspection: {
        enabled: true,
        // Confidential clients (apps and resource servers) may introspect any token, public ones only their own.
        // A token whose app was deleted or whose user was disabled reads as inactive.
        async allowedPolicy(kctx: KoaContextWithOIDC, client: ClientInstance, token: TokenLike) {
          if (isPublic(client) && token.clientId !== client.clientId) return false;
          if (token.clientId && !(await kctx.oidc.provider.Client.find(token.clientId))) return false;
          if (token.accountId && !(await findAccount(kctx, token.accountId))) return false;
          return true;
        },
      },
      revocation: {
        enabled: true,
        async allowedPolicy(_kctx: KoaContextWithOIDC, client: ClientInstance, token: TokenLike) {
          if (token.clientId === client.clientId) return true;
          if (isPublic(client)) return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
    },
  });

  provider.proxy = config.trustProxy;
  // Endpoint URLs (discovery, redirects) and the cookies' Secure flag follow the
  // configured issuer, not whatever scheme and Host the request arrived with: behind a
  // TLS-terminating proxy an https issuer stays https even without TESSERA_TRUST_PROXY,
  // and a forged Host header cannot change the URLs we hand out.
  const issuerUrl = new URL(config.issuer);
  Object.defineProperties((provider as unknown as { request: object }).request, {
    protocol: { get: () => issuerUrl.protocol.slice(0, -1) },
    host: { get: () => issuerUrl.host },
    hostname: { get: () => issuerUrl.hostname },
  });
  // Clients' secrets are stored hashed; this is oidc-provider's hook for comparing them.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: ClientInstance, actual: string) {
    return clientSecretMatches(actual, this.clientSecret);
  };

  // Signing out of every app through RP-initiated logout also ends Tessera's session.
  provider.on('end_session.success', (kctx: KoaContextWithOIDC) => {
    if (!kctx.oidc.params?.logout) return;
    const name = sessionCookieName(config);
    const token = kctx.cookies.get(name, { signed: false });
    kctx.cookies.set(name, null, { signed: false, path: '/', httpOnly: true, sameSite: 'lax' });
    loadSession(store.db, token, config.session)
      .then((session) => (session ? revokeSession(store.db, session.id) : undefined))
      .catch((err: unknown) => logger.error({ err }, 'ending the Tessera session at logout failed'));
  });

  provider.on('server_error', (_kctx: KoaContextWithOIDC, err: Error) => logger.error({ err }, 'oidc-provider server error'));
  provider.on('error', (err: Error) => logger.error({ err }, 'oidc-provider error'));
  provider.on('grant.error', (kctx: KoaContextWithOIDC, err: { error_detail?: string; error?: string }) => {
    if (err.error_detail === 'refresh token already used' || err.error_detail === 'authorization code already consumed') {
      logger.warn(
        { client_id: kctx.oidc.client?.clientId, detail: err.error_detail },
        'replayed grant: every token of the grant was revoked',
      );
    }
  });
  provider.on('grant.revoked', (kctx: KoaContextWithOIDC, grantId: string) =>
    logger.info({ client_id: kctx.oidc.client?.clientId, grant_id: grantId }, 'oidc grant revoked'),
  );
  return provider;
}
