import type { Config } from '../../config/config.ts';

/** Token lifetimes, in seconds. Short access tokens; refresh tokens slide but have a hard end. */
export const ACCESS_TOKEN_TTL = 10 * 60;
export const ID_TOKEN_TTL = 60 * 60;
export const REFRESH_TOKEN_SLIDING_TTL = 14 * 24 * 3600;
export const REFRESH_TOKEN_MAX_LIFETIME = 30 * 24 * 3600;
export const AUTHORIZATION_CODE_TTL = 60;
export const INTERACTION_TTL = 60 * 60;

const epoch = () => Math.floor(Date.now() / 1000);

/**
 * Each rotation gives a fresh 14 days, never reaching past 30 days after the
 * refresh token chain began (iiat: the first token's issue time, kept across
 * rotations), after which the user signs in again.
 */
export function refreshTokenTtl(_ctx: unknown, token: { iiat?: number; iat?: number }): number {
  const start = token.iiat ?? token.iat ?? epoch();
  const remaining = start + REFRESH_TOKEN_MAX_LIFETIME - epoch();
  return Math.max(1, Math.min(REFRESH_TOKEN_SLIDING_TTL, remaining));
}

export function ttlSettings(config: Config) {
  const absolute = config.session.absoluteSeconds;
  const idle = config.session.idleSeconds;
  return {
    AccessToken: ACCESS_TOKEN_TTL,
    ClientCredentials: ACCESS_TOKEN_TTL,
    AuthorizationCode: AUTHORIZATION_CODE_TTL,
    IdToken: ID_TOKEN_TTL,
    RefreshToken: refreshTokenTtl,
    Interaction: INTERACTION_TTL,
    DeviceCode: 10 * 60,
    BackchannelAuthenticationRequest: 10 * 60,
    PreAuthorizedCode: 10 * 60,
    // A grant outlives every refresh token issued under it, and no longer.
    Grant: REFRESH_TOKEN_MAX_LIFETIME,
    // The provider session is saved again on every authorization request, so this TTL
    // slides: it lapses after the idle time without use, and never outlives the
    // absolute time after sign-in, however active it is.
    Session: (_ctx: unknown, session: { loginTs?: number }) => {
      const left = session.loginTs ? session.loginTs + absolute - epoch() : absolute;
      return Math.max(1, Math.min(idle, left));
    },
  };
}
