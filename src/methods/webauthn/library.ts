import { lazyModule } from '../../app/lazy.ts';

/**
 * @simplewebauthn/server, with the ASN.1 and CBOR libraries under it, is some
 * 5 MB in memory: loaded with the first security-key or passkey ceremony, not
 * by every server at start-up (many never see one).
 */
export const webauthnServer = lazyModule(() => import('@simplewebauthn/server'));
export const webauthnHelpers = lazyModule(() => import('@simplewebauthn/server/helpers'));
