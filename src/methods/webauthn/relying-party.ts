import type { Config } from '../../config/config.ts';

export interface RelyingParty {
  /** The domain credentials are scoped to. */
  id: string;
  /** Shown by some authenticators. */
  name: string;
  /** Page origins whose ceremonies are accepted. */
  origins: string[];
}

/**
 * TESSERA_WEBAUTHN_RP_ID and TESSERA_WEBAUTHN_ORIGINS when set, otherwise the
 * issuer's host name and origin, so http://localhost works out of the box.
 * (Browsers refuse an IP address as an RP id: use a host name.)
 */
export function relyingParty(config: Pick<Config, 'issuer' | 'webauthn'>): RelyingParty {
  const issuer = new URL(config.issuer);
  const origins = config.webauthn?.origins?.length ? config.webauthn.origins : [issuer.origin];
  return { id: config.webauthn?.rpId || issuer.hostname, name: 'Tessera', origins };
}
