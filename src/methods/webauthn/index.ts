/** WebAuthn: FIDO2 security keys (a second factor) and passkeys (passwordless sign-in). */
export { beginWebauthnRegistration, finishWebauthnRegistration, type BeginRegistrationInput, type RegistrationResult } from './register.ts';
export {
  beginWebauthnAuthentication, verifyWebauthn, type BeginAuthenticationInput, type VerifyWebauthnInput, type WebauthnMode,
  type WebauthnVerifyResult,
} from './authenticate.ts';
export {
  findByCredentialId, listWebauthn, MAX_WEBAUTHN_PER_USER, removeWebauthn, renameWebauthn, type WebauthnCredential,
} from './credentials.ts';
export {
  allowListApplies, getWebauthnSettings, globalAdminsWithPhishingResistant, setWebauthnSettings, SettingsRefusedError,
  webauthnSettingsSchema, type WebauthnSettings, type WebauthnSettingsPatch,
} from './settings.ts';
export { authenticatorName, ZERO_AAGUID } from './aaguids.ts';
export { relyingParty, type RelyingParty } from './relying-party.ts';
export type { WebauthnContext } from './context.ts';
export type { WebauthnKind } from './tables.ts';
