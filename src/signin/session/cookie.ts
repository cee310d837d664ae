import type { Config } from '../../config/config.ts';

/**
 * The IdP session cookie's name. On https it is "__Host-" prefixed (Secure,
 * Path=/, no Domain: a sibling subdomain can neither set nor read it).
 */
export function sessionCookieName(config: Config): string {
  return config.issuer.startsWith('https:') ? '__Host-tessera_session' : 'tessera_session';
}
