import type { PostureFacts, PostureRow } from '../model.ts';
import { POSTURE_TEXT } from '../texts.ts';
import { percent, row } from './row.ts';

/**
 * Tessera's push has no plain approve button: every request shows a number the
 * person types into the authenticator (src/methods/push/requests.ts), and the
 * bombing defence limits and suspends. The row shows that and the limits.
 */
export function numberMatching(f: PostureFacts): PostureRow {
  return row('push-number-matching', POSTURE_TEXT.numberMatching.title, true, {
    pushEnabled: f.push.enabled,
    pushUsers: f.push.users,
    numberMatching: 'always',
    requestsPerWindow: f.push.requestsPerWindow,
    windowMinutes: f.push.windowMinutes,
    failuresBeforeSuspend: f.push.failuresBeforeSuspend,
  }, () => POSTURE_TEXT.numberMatching.fix);
}

export function fatigueNotice(f: PostureFacts): PostureRow {
  const missing = f.push.users - f.push.acknowledged;
  return row('push-fatigue-notice', POSTURE_TEXT.fatigueNotice.title, missing === 0, {
    pushUsers: f.push.users,
    acknowledged: f.push.acknowledged,
    share: percent(f.push.acknowledged, f.push.users),
  }, () => POSTURE_TEXT.fatigueNotice.fix(missing));
}
