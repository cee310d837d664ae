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
  return worse(userRiskFrom({ secondFactorFailures, locks, passwordFailures }), await signalledRisk(db, 'user', userId, null, now));
}

/** Sign-in risk of a sign-in from this address, from the sign-in log. */
export async function signInRisk(db: Db | Tx, userId: string, ip: string | null, now = new Date()): Promise<RiskLevel> {
  if (!ip) return signalledRisk(db, 'signin', userId, null, now);
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
  const fromLog = signInRiskFrom({
    addressFailures: failures.length,
    userAddressFailures: failures.filter((f) => f.user_id === userId).length,
    newAddress,
  });
  return worse(fromLog, await signalledRisk(db, 'signin', userId, ip, now));
}

const LEVELS: readonly RiskLevel[] = ['none', 'low', 'medium', 'high'];
const worse = (a: RiskLevel, b: RiskLevel): RiskLevel => (LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b);

/**
 * The highest risk a detection (src/monitor/detections/) or a "this wasn't me"
 * report has signalled for this person, or for sign-ins of theirs or from this
 * address. A signal lasts until it expires or its alert is acknowledged.
 */
async function signalledRisk(db: Db | Tx, scope: 'user' | 'signin', userId: string, ip: string | null, now: Date): Promise<RiskLevel> {
  let q = db
    .selectFrom('risk_signals')
    .leftJoin('alerts', 'alerts.id', 'risk_signals.alert_id')
    .select('risk_signals.level')
    .where('risk_signals.scope', '=', scope)
    .where('risk_signals.expires_at', '>', now.toISOString())
    .where('alerts.acknowledged_at', 'is', null);
  q = scope === 'user'
    ? q.where('risk_signals.user_id', '=', userId)
    : ip === null
      ? q.where('risk_signals.user_id', '=', userId).where('risk_signals.ip', 'is', null)
      : q.where((eb) => eb.or([
      eb.and([eb('risk_signals.user_id', '=', userId), eb.or([eb('risk_signals.ip', 'is', null), eb('risk_signals.ip', '=', ip)])]),
      eb.and([eb('risk_signals.user_id', 'is', null), eb('risk_signals.ip', '=', ip)]),
    ]));
  const rows = await q.limit(50).execute();
  return rows.reduce<RiskLevel>((max, r) => worse(max, r.level), 'none');
}
