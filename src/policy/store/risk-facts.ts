import type { Db, Tx } from '../../store/store.ts';
import type { RiskLevel } from '../document.ts';
import { signInRiskFrom, userRiskFrom } from '../risk.ts';

const HOUR = 3600_000;
const SECOND_FACTOR_REASON = /^(totp|backup_code|webauthn|push|sms|voice|tap)_/;

/** User risk from the sign-in log of the last 24 hours. */
export async function userRisk(db: Db | Tx, userId: string, now = new Date()): Promise<RiskLevel> {
  const rows = await db
    .selectFrom('signin_log')
    .select(['result', 'reason'])
    .where('user_id', '=', userId)
    .where('at', '>=', new Date(now.getTime() - 24 * HOUR).toISOString())
    .where('result', 'in', ['failure', 'locked'])
    .limit(500)
    .execute();
  let secondFactorFailures = 0;
  let locks = 0;
  let passwordFailures = 0;
  for (const r of rows) {
    if (r.result === 'locked') locks++;
    else if (SECOND_FACTOR_REASON.test(r.reason)) secondFactorFailures++;
    else if (r.reason === 'bad_password') passwordFailures++;
  }
  return userRiskFrom({ secondFactorFailures, locks, passwordFailures });
}

/** Sign-in risk of a sign-in from this address, from the sign-in log. */
export async function signInRisk(db: Db | Tx, userId: string, ip: string | null, now = new Date()): Promise<RiskLevel> {
  if (!ip) return 'none';
  const hourAgo = new Date(now.getTime() - HOUR).toISOString();
  const failures = await db
    .selectFrom('signin_log')
    .select(['user_id'])
    .where('ip', '=', ip)
    .where('at', '>=', hourAgo)
    .where('result', 'in', ['failure', 'locked'])
    .limit(200)
    .execute();
  const since = new Date(now.getTime() - 90 * 24 * HOUR).toISOString();
  const successSince = (fromIp: string | null) => {
    let q = db.selectFrom('signin_log').select('id').where('user_id', '=', userId).where('result', '=', 'success').where('at', '>=', since);
    if (fromIp !== null) q = q.where('ip', '=', fromIp);
    return q.limit(1).executeTakeFirst();
  };
  // A new address only counts for someone who has signed in successfully before.
  const newAddress = !!(await successSince(null)) && !(await successSince(ip));
  return signInRiskFrom({
    addressFailures: failures.length,
    userAddressFailures: failures.filter((f) => f.user_id === userId).length,
    newAddress,
  });
}
