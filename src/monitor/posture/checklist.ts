import type { PostureFacts, PostureRow } from './model.ts';
import { adminMfa, phishingResistant, smsForAdmins } from './rows/admins.ts';
import { appMfa } from './rows/apps.ts';
import { fatigueNotice, numberMatching } from './rows/push.ts';
import { breakGlassTested, recoveryDocumented } from './rows/recovery.ts';
import { exceptionsEnd, serviceAccounts } from './rows/services.ts';

/** The rows in the order the checklist reads (the roll-out's priorities first). */
export const POSTURE_ROWS: ReadonlyArray<(facts: PostureFacts) => PostureRow> = [
  adminMfa, appMfa, phishingResistant, numberMatching, recoveryDocumented, breakGlassTested, serviceAccounts, fatigueNotice, exceptionsEnd, smsForAdmins,
];

export function postureChecklist(facts: PostureFacts): PostureRow[] {
  return POSTURE_ROWS.map((r) => r(facts));
}
