import type { Db } from '../../store/store.ts';
import type { NameActor } from './actors.ts';
import { figure, table, type EvidencePeriod, type EvidenceSection } from './model.ts';

/**
 * Break-glass tests recorded in the period, read from the recovery
 * capability's table (the recovery layer sits above this one and reaches the
 * monitor, not the other way round; reading its rows needs none of its code).
 */
export async function breakGlassSection(db: Db, period: EvidencePeriod, nameOf: NameActor): Promise<EvidenceSection> {
  const tests = await db.selectFrom('break_glass_tests as t').innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.username', 't.at', 't.actor', 't.result', 't.signin_at', 't.notes'])
    .where('t.at', '>=', period.from).where('t.at', '<=', period.to)
    .orderBy('t.at').orderBy('t.id').execute();
  const accounts = await db.selectFrom('users').select('username').where('kind', '=', 'break_glass').where('status', '=', 'active').orderBy('username').execute();
  const tested = new Set(tests.filter((t) => t.result === 'pass').map((t) => t.username));
  const rows = [];
  for (const t of tests) rows.push({ account: t.username, at: t.at, result: t.result, signedInAt: t.signin_at, recordedBy: await nameOf(t.actor), notes: t.notes });
  return {
    id: 'break-glass',
    title: 'Break-glass tests',
    about: 'Tests of the emergency accounts recorded in the period. A test passes only on a real successful sign-in of the account within the 24 hours before it was recorded.',
    figures: [
      figure('accounts', 'Break-glass accounts', accounts.length),
      figure('tests', 'Tests in the period', tests.length),
      figure('passed', 'Passed', tests.filter((t) => t.result === 'pass').length),
      figure('failed', 'Failed', tests.filter((t) => t.result === 'fail').length),
      figure('untested', 'Accounts without a passed test in the period', accounts.filter((a) => !tested.has(a.username)).length),
    ],
    tables: [
      table('break-glass-tests', 'Break-glass tests', [['account', 'Account'], ['at', 'Recorded'], ['result', 'Result'], ['signedInAt', 'Sign-in it rests on'], ['recordedBy', 'Recorded by'], ['notes', 'Notes']], rows),
    ],
  };
}
