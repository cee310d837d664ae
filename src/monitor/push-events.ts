import type { PushRecorder } from '../methods/push/events.ts';
import { raiseAlert } from './alerts.ts';
import { writeSigninLog } from './signin-log.ts';

/**
 * Writes what push reports: refused or failed attempts to the sign-in log,
 * alerts (push bombing, "this wasn't me") as high severity. Push calls it
 * inside its own transaction, so each row commits with its change.
 */
export const pushRecorder: PushRecorder = {
  async attempt(db, a) {
    await writeSigninLog(db, {
      userId: a.userId, username: a.username, ip: a.ip, methodsTried: ['push'], result: a.result, reason: a.reason, transactionId: a.transactionId, at: a.at,
    });
  },
  async alert(db, a) {
    await raiseAlert(db, { severity: 'high', kind: a.kind, userId: a.userId, username: a.username, details: a.details, at: a.at });
  },
};
