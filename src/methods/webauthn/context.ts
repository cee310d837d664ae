import type { Config } from '../../config/config.ts';
import type { MethodContext } from '../context.ts';

/** WebAuthn needs the relying party, which comes from the configuration. */
export type WebauthnContext = MethodContext & { config: Pick<Config, 'issuer' | 'webauthn'> };
