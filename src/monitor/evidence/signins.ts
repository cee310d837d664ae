import type { Db } from '../../store/store.ts';
import { amrFor, isMethodType, METHOD_TYPES } from '../../methods/method.ts';
import { COVERAGE_LEVELS } from '../../policy/store/coverage.ts';
import { figure, share, table, type EvidencePeriod, type EvidenceSection } from './model.ts';
import { METHOD_WORDS } from './texts.ts';

interface Group {
  result: string;
  clientId: string | null;
  methods: string[];
  strength: string | null;
  n: number;
}

interface AppCount {
  attempts: number;
  successes: number;
  failures: number;
  mfa: number;
}

const MFA_STRENGTHS = new Set<string>(COVERAGE_LEVELS.filter((l) => l !== 'none'));

/** A success is MFA when it reached an MFA strength, or used two different kinds of factor (RFC 8176's "mfa"). */
function isMfa(g: Group): boolean {
  if (g.strength && MFA_STRENGTHS.has(g.strength)) return true;
  return amrFor(g.methods.filter(isMethodType)).includes('mfa');
}

/** The period's sign-ins grouped in the database: distinct combinations are few, however many rows there are. */
async function groups(db: Db, period: EvidencePeriod): Promise<Group[]> {
  const rows = await db
    .selectFrom('signin_log')
    .select((eb) => ['result', 'client_id', 'methods_used', 'strength', eb.fn.countAll<number | string>().as('n')])
    .where('at', '>=', period.from)
    .where('at', '<=', period.to)
    .groupBy(['result', 'client_id', 'methods_used', 'strength'])
    .execute();
  return rows.map((r) => ({ result: r.result, clientId: r.client_id, methods: JSON.parse(r.methods_used) as string[], strength: r.strength ?? null, n: Number(r.n) }));
}

async function peopleSignedIn(db: Db, period: EvidencePeriod): Promise<number> {
  const row = await db
    .selectFrom('signin_log')
    .select((eb) => eb.fn.count<number | string>('user_id').distinct().as('n'))
    .where('at', '>=', period.from)
    .where('at', '<=', period.to)
    .where('result', '=', 'success')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function byApp(all: Group[]): Map<string, AppCount> {
  const apps = new Map<string, AppCount>();
  for (const g of all) {
    const key = g.clientId ?? '(no app recorded)';
    const a = apps.get(key) ?? { attempts: 0, successes: 0, failures: 0, mfa: 0 };
    a.attempts += g.n;
    if (g.result === 'success') a.successes += g.n;
    if (g.result === 'failure' || g.result === 'locked') a.failures += g.n;
    if (g.result === 'success' && isMfa(g)) a.mfa += g.n;
    apps.set(key, a);
  }
  return apps;
}

/** Sign-in summary: every attempt the sign-in log holds for the period, by outcome, method and app. */
export async function signinSection(db: Db, period: EvidencePeriod): Promise<EvidenceSection> {
  const all = await groups(db, period);
  const count = (keep: (g: Group) => boolean) => all.filter(keep).reduce((n, g) => n + g.n, 0);
  const total = count(() => true);
  const successes = count((g) => g.result === 'success');
  const mfa = count((g) => g.result === 'success' && isMfa(g));
  const methodRows = METHOD_TYPES.map((m) => ({ method: m, words: METHOD_WORDS[m], successes: count((g) => g.result === 'success' && g.methods.includes(m)) })).filter((r) => r.successes > 0);
  const appRows = [...byApp(all)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([app, a]) => ({ app, attempts: a.attempts, successes: a.successes, failures: a.failures, mfaShare: share(a.mfa, a.successes) }));
  return {
    id: 'signins',
    title: 'Sign-in summary',
    about: 'Every sign-in attempt recorded in the period, whatever its outcome. A successful sign-in counts as MFA when it reached an MFA strength or used two different kinds of factor.',
    figures: [
      figure('total', 'Sign-in attempts', total),
      figure('success', 'Successful', successes),
      figure('failure', 'Failed', count((g) => g.result === 'failure')),
      figure('locked', 'Refused because the account or method was locked', count((g) => g.result === 'locked')),
      figure('interrupted', 'Left unfinished', count((g) => g.result === 'interrupted')),
      figure('people', 'People who signed in successfully', await peopleSignedIn(db, period)),
      figure('mfaShare', 'Share of successful sign-ins with MFA', share(mfa, successes)),
    ],
    tables: [
      table('signins-by-method', 'Successful sign-ins by method used', [['words', 'Method'], ['successes', 'Successful sign-ins']], methodRows),
      table('signins-by-app', 'Sign-ins by app', [['app', 'App'], ['attempts', 'Attempts'], ['successes', 'Successful'], ['failures', 'Failed or locked'], ['mfaShare', 'MFA share of successes']], appRows),
    ],
  };
}
