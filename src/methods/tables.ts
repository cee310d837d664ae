import type { BackupCodeTables } from './backup-codes/tables.ts';
import type { ThrottleTables } from './throttle/tables.ts';
import type { TotpTables } from './totp/tables.ts';
import type { WebauthnTables } from './webauthn/tables.ts';
import type { MethodSettingsTables } from './settings.ts';
import type { PushTables } from './push/tables.ts';
import type { PhoneTables } from './phone/tables.ts';

/** The methods' tables (besides password, declared on its own), composed into the store's Database. */
export interface MethodsTables extends TotpTables, BackupCodeTables, ThrottleTables, WebauthnTables, MethodSettingsTables, PushTables, PhoneTables {}
