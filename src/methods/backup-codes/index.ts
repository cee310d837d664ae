/** Backup codes: ten single-use codes printed or saved by the user, for when the other factors are out of reach. */
export { generateBackupCodes, remainingBackupCodes, revokeBackupCodes, verifyBackupCode } from './service.ts';
export { CODES_PER_SET, normalizeCode } from './format.ts';
