import type { PostureFacts, PostureRow } from '../model.ts';
import { POSTURE_TEXT } from '../texts.ts';
import { row } from './row.ts';

/** Documented: the helpdesk runbooks are built in; the pass policy must have been set on purpose and keep passes single-use. */
export function recoveryDocumented(f: PostureFacts): PostureRow {
  const { tap, runbooks } = f.recovery;
  return row('recovery-documented', POSTURE_TEXT.recovery.title, tap.reviewed && !tap.allowMultiUse, {
    tapPolicyReviewed: tap.reviewed,
    tapMultiUseAllowed: tap.allowMultiUse,
    tapMaxLifetimeMinutes: tap.maxLifetimeMinutes,
    runbooks: [...runbooks.scenarios],
    casesLast90Days: runbooks.casesLast90Days,
  }, () => (tap.reviewed ? POSTURE_TEXT.recovery.fixMultiUse : POSTURE_TEXT.recovery.fixReview));
}

export function breakGlassTested(f: PostureFacts): PostureRow {
  const b = f.recovery.breakGlass;
  const problems = [
    ...b.overdue.map((u) => `${u}: no passing test in the last ${b.testIntervalDays} days`),
    ...b.missingCredentials.map((u) => `${u}: fewer than two phishing-resistant credentials`),
  ];
  return row('break-glass-tested', POSTURE_TEXT.breakGlass.title, b.accounts.length > 0 && problems.length === 0, {
    accounts: b.accounts.length,
    testIntervalDays: b.testIntervalDays,
    overdue: b.overdue,
    missingCredentials: b.missingCredentials,
  }, () => (b.accounts.length === 0 ? POSTURE_TEXT.breakGlass.fixNone : POSTURE_TEXT.breakGlass.fix(problems)));
}
