import type { Db, Tx } from '../../store/store.ts';
import { listUserMethods } from '../../methods/list.ts';
import { METHODS, isMethodType } from '../../methods/method.ts';
import { loadBreakGlassSettings } from './settings.ts';

/**
 * Break-glass accounts (kind break_glass) are the organisation's last way in.
 * Each must hold at least two phishing-resistant credentials (security keys
 * kept apart, so losing one does not lock the door) and be test-signed-in
 * regularly; this report says which do not.
 */
export const MIN_PHISHING_RESISTANT = 2;
const DAY_MS = 24 * 3600 * 1000;

export interface BreakGlassCredential {
  type: string;
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  phishingResistant: boolean;
}

export interface BreakGlassTest {
  id: string;
  at: string;
  actor: string;
  result: 'pass' | 'fail';
  signinAt: string | null;
  notes: string | null;
}

export interface BreakGlassAccount {
  userId: string;
  username: string;
  status: string;
  credentials: BreakGlassCredential[];
  phishingResistantCount: number;
  /** At least two phishing-resistant credentials. */
  enoughCredentials: boolean;
  lastTest: BreakGlassTest | null;
  /** The last passing test is older than the interval, or there is none. */
  testOverdue: boolean;
  lastSigninAt: string | null;
  /** Everything wrong with the account, in words; empty when it is ready. */
  problems: string[];
}

export interface BreakGlassReport {
  testIntervalDays: number;
  accounts: BreakGlassAccount[];
  /** Usernames with fewer than two phishing-resistant credentials. */
  missingCredentials: string[];
  /** Usernames whose test is overdue. */
  overdue: string[];
}

export async function breakGlassReport(db: Db | Tx, now = new Date()): Promise<BreakGlassReport> {
  const { testIntervalDays } = await loadBreakGlassSettings(db);
  const users = await db.selectFrom('users').select(['id', 'username', 'status']).where('kind', '=', 'break_glass').orderBy('username_key').execute();
  const accounts: BreakGlassAccount[] = [];
  for (const u of users) accounts.push(await describeAccount(db, u, testIntervalDays, now));
  return {
    testIntervalDays,
    accounts,
    missingCredentials: accounts.filter((a) => !a.enoughCredentials).map((a) => a.username),
    overdue: accounts.filter((a) => a.testOverdue).map((a) => a.username),
  };
}

async function describeAccount(db: Db | Tx, u: { id: string; username: string; status: string }, intervalDays: number, now: Date): Promise<BreakGlassAccount> {
  const credentials = (await listUserMethods(db, u.id)).map((m) => ({
    type: m.type,
    id: m.id,
    label: m.label,
    createdAt: m.createdAt,
    lastUsedAt: m.lastUsedAt,
    phishingResistant: isMethodType(m.type) && METHODS[m.type].phishingResistant,
  }));
  const phishingResistantCount = credentials.filter((c) => c.phishingResistant).length;
  const tests = await db.selectFrom('break_glass_tests').selectAll().where('user_id', '=', u.id).orderBy('at', 'desc').limit(20).execute();
  const last = tests[0];
  const lastPass = tests.find((t) => t.result === 'pass');
  const testOverdue = !lastPass || now.getTime() - Date.parse(lastPass.at) > intervalDays * DAY_MS;
  const signin = await db
    .selectFrom('signin_log')
    .select('at')
    .where('user_id', '=', u.id)
    .where('result', '=', 'success')
    .orderBy('at', 'desc')
    .executeTakeFirst();
  const problems: string[] = [];
  if (u.status !== 'active') problems.push('the account is disabled: it cannot be used in an emergency');
  if (phishingResistantCount < MIN_PHISHING_RESISTANT) {
    problems.push(`holds ${phishingResistantCount} phishing-resistant credential(s); needs at least ${MIN_PHISHING_RESISTANT} (security keys or passkeys)`);
  }
  if (!lastPass) problems.push(last ? 'the last test failed and none has passed' : 'never tested');
  else if (testOverdue) {
    const days = Math.floor((now.getTime() - Date.parse(lastPass.at)) / DAY_MS);
    problems.push(`last passing test ${days} days ago; due every ${intervalDays} days`);
  }
  return {
    userId: u.id,
    username: u.username,
    status: u.status,
    credentials,
    phishingResistantCount,
    enoughCredentials: phishingResistantCount >= MIN_PHISHING_RESISTANT,
    lastTest: last ? { id: last.id, at: last.at, actor: last.actor, result: last.result, signinAt: last.signin_at, notes: last.notes } : null,
    testOverdue,
    lastSigninAt: signin?.at ?? null,
    problems,
  };
}
