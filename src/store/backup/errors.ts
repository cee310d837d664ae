/** A backup or restore refused or failed, in words for the operator (no secrets, no URLs). */
export class BackupError extends Error {}
