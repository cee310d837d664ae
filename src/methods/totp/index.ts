/** TOTP authenticators (apps and hardware OATH tokens): enrol, verify, list, remove, import. */
export {
  beginTotpEnrolment, DEFAULT_TOTP_LABEL, finishTotpEnrolment, loadTotpEnrolment,
  type BeginTotpOptions, type FinishTotpResult, type TotpEnrolment,
} from './enrol.ts';
export { verifyTotp } from './verify.ts';
export { importTotp, listTotp, removeTotp, type ImportTotpInput, type TotpCredential } from './manage.ts';
export { DEFAULT_TOTP_SETTINGS, type TotpSettings, type TotpSettingsInput } from './otp.ts';
