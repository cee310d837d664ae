import type { Db } from '../../store/store.ts';
import { signInRisk } from '../../policy/store/risk-facts.ts';
import { coordinatesOf } from '../../policy/geo/coordinates.ts';
import { noticeFromAudit, noticeFromSignin, type Notice } from '../notify/notices.ts';
import type { DetectionSettings } from './settings.ts';
import { detectGuessing } from './guessing.ts';
import { detectAppFailures } from './apps.ts';
import { detectTravel, type Locate } from './travel.ts';
import { detectAdminGrant, detectMethodAfterRisky, detectSigninAfterReport, METHOD_ADDED, type RiskySignin } from './events.ts';
import { daysBefore, peopleOf, readHistory, readReports, readWindow, type Person } from './gather.ts';
import { HOUR, MINUTE, ms, type AuditFact, type Finding, type LogFact } from './model.ts';

/**
 * One batch of new rows in, what the detections find and what people are to
 * be told out. Reads only; the scanner writes the results in one transaction.
 */
export interface BatchResult {
  findings: Finding[];
  notices: Notice[];
  people: Map<string, Person>;
}

/** Coordinates are looked up here, at scan time, once per address and batch: never on the sign-in path. */
function locator(): Locate {
  const seen = new Map<string, ReturnType<typeof coordinatesOf>>();
  return (ip) => {
    if (!ip) return null;
    if (!seen.has(ip)) seen.set(ip, coordinatesOf(ip));
    return seen.get(ip)!;
  };
}

export async function examineBatch(db: Db, signins: readonly LogFact[], audit: readonly AuditFact[], s: DetectionSettings): Promise<BatchResult> {
  const found: BatchResult = { findings: [...(await countingFindings(db, signins, s))], notices: [], people: new Map() };
  await examineSignins(db, signins, s, found);
  found.findings.push(...(await pushReports(db, signins)));
  const ids = [...audit.map((e) => e.userId), ...found.findings.map((f) => f.userId), ...found.notices.map((n) => n.userId)];
  found.people = await peopleOf(db, ids.filter((id): id is string => !!id));
  await examineAudit(db, audit, s, found);
  if (!s.notifyPeople) found.notices = [];
  return found;
}

/** Each successful sign-in against the person's history: where they were, a report before it, a new device or country. */
async function examineSignins(db: Db, signins: readonly LogFact[], s: DetectionSettings, out: BatchResult): Promise<void> {
  const locate = locator();
  for (const row of signins.filter((r) => r.result === 'success' && r.userId)) {
    const history = await readHistory(db, row.userId!, daysBefore(row.at, s.historyDays), row);
    out.findings.push(...detectTravel(row, history, locate, s));
    const reports = await readReports(db, row.userId!, new Date(ms(row.at) - s.afterReportHours * HOUR).toISOString(), row.at);
    const after = detectSigninAfterReport(row, reports);
    if (after) out.findings.push(after);
    const notice = noticeFromSignin(row, history, locate);
    if (notice) out.notices.push(notice);
  }
}

/** Each audit entry: an admin role granted, a method added after a risky sign-in, a change the person is told about. */
async function examineAudit(db: Db, audit: readonly AuditFact[], s: DetectionSettings, out: BatchResult): Promise<void> {
  for (const e of audit) {
    const username = e.userId ? out.people.get(e.userId)?.username ?? null : null;
    const grant = detectAdminGrant(e, username);
    if (grant) out.findings.push(grant);
    if (METHOD_ADDED.test(e.action) && e.userId) {
      const found = detectMethodAfterRisky(e, username, await riskySignins(db, e, s, out.findings), s);
      if (found) out.findings.push(found);
    }
    const notice = noticeFromAudit(e);
    if (notice) out.notices.push(notice);
  }
}

/**
 * A push denied with "this wasn't me": the push method raised its alert in
 * the answer's transaction; here the person's user risk follows, so
 * conditional access sees it, ended with that alert.
 */
async function pushReports(db: Db, signins: readonly LogFact[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const row of signins.filter((r) => r.reason === 'push_reported_not_me' && r.userId)) {
    const alert = await db.selectFrom('alerts').select('id').where('kind', '=', 'push.reported').where('user_id', '=', row.userId)
      .where('created_at', '<=', new Date(ms(row.at) + MINUTE).toISOString()).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    out.push({
      kind: 'push.reported', severity: 'high', subject: `signin:${row.id}`, once: true, userId: row.userId, username: row.username, at: row.at,
      evidence: { signinId: row.id }, risk: { scope: 'user', level: 'high', userId: row.userId! }, raisedAs: { alertId: alert?.id ?? null },
    });
  }
  return out;
}

/** The detections that count rows in a window: guessing and failing apps. */
async function countingFindings(db: Db, signins: readonly LogFact[], s: DetectionSettings): Promise<Finding[]> {
  const counted = signins.filter((r) => r.result !== 'success' || r.clientId);
  if (counted.length === 0) return [];
  const longest = Math.max(s.bruteForce.windowMinutes, s.sprayFromAddress.windowMinutes, s.sprayDistributed.windowMinutes, s.appFailureRate.windowMinutes);
  const from = new Date(ms(signins[0]!.at) - longest * MINUTE).toISOString();
  const window = await readWindow(db, from, signins[signins.length - 1]!.at);
  return [...detectGuessing(window, signins, s), ...detectAppFailures(window, signins, s)];
}

/**
 * The person's sign-ins in the minutes before a method was added, each with
 * its sign-in risk: from the log and earlier detections, and from what this
 * batch has just found (not written yet).
 */
async function riskySignins(db: Db, e: AuditFact, s: DetectionSettings, found: readonly Finding[]): Promise<RiskySignin[]> {
  const from = new Date(ms(e.at) - s.methodAfterRiskyMinutes * MINUTE).toISOString();
  const signins = await readHistory(db, e.userId!, from, e.at);
  const out: RiskySignin[] = [];
  for (const signin of signins) {
    const stored = await signInRisk(db, e.userId!, signin.ip, new Date(signin.at));
    if (stored !== 'none') out.push({ signin, level: stored, why: 'sign-in risk' });
    const pending = found.find((f) => f.risk?.userId === e.userId && (f.risk.scope === 'user' || f.risk.ips.length === 0 || f.risk.ips.includes(signin.ip ?? '')));
    if (pending?.risk) out.push({ signin, level: pending.risk.level, why: pending.kind });
  }
  return out;
}
