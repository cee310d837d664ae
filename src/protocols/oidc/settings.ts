import { errors } from 'oidc-provider';

/**
 * The parts of the provider configuration that depend on nothing at run time,
 * shared by the real provider and by the throw-away one that validates client
 * metadata (client-validation.ts).
 */

/** Every endpoint sits under /oidc; discovery stays at /.well-known/openid-configuration. */
export const ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  jwks: '/oidc/jwks',
  userinfo: '/oidc/me',
  end_session: '/oidc/session/end',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  pushed_authorization_request: '/oidc/request',
  registration: '/oidc/reg',
  code_verification: '/oidc/device',
  device_authorization: '/oidc/device/auth',
  backchannel_authentication: '/oidc/backchannel',
  challenge: '/oidc/challenge',
  credential: '/oidc/credential',
} as const;

// Client secrets are stored hashed (clients.ts), so nothing that needs the plaintext
// secret as an HMAC or encryption key may be offered: no HS* algorithms, no
// client_secret_jwt, no symmetric encryption.
const SIGNING = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export function staticSettings(): Record<string, unknown> {
  return {
    clients: [],
    responseTypes: ['code'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // PKCE with S256 for every authorization request, public clients or not.
    pkce: { required: () => true },
    subjectTypes: ['public'],
    routes: ROUTES,
    enabledJWA: {
      clientAuthSigningAlgValues: SIGNING,
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      requestObjectSigningAlgValues: SIGNING,
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA'],
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      registration: { enabled: false },
      encryption: { enabled: false },
      // No resource servers are registered yet: a `resource` parameter is refused
      // (invalid_target) and access tokens are opaque, checked by introspection.
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo() {
          throw new errors.InvalidTarget('Tessera serves no resource servers; omit the resource parameter');
        },
      },
    },
  };
}
