import { breakGlassReport, loadBreakGlassSettings, recordBreakGlassTest, setBreakGlassSettings } from '../../recovery/breakglass/index.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'break-glass accounts: list (credentials, last test, overdue), test, settings';

export const USAGE = `tessera breakglass list [--check] [--json]      (--check: exit 1 when any account is not ready)
       tessera breakglass test <username> [--result pass|fail] [--notes text] [--json]
       tessera breakglass settings [--test-interval-days n] [--json]`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'list': {
      const { values, positionals } = parse(rest, { check: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const report = await withContext((ctx) => breakGlassReport(ctx.store.db));
      const notReady = report.accounts.filter((a) => a.problems.length > 0);
      if (values.json) printJson(io, report);
      else if (!report.accounts.length) io.out('no break-glass accounts (create one with: tessera user create <name> --kind break_glass)');
      else {
        for (const a of report.accounts) {
          io.out(`${a.username} (${a.status}) — ${a.problems.length ? 'NOT READY' : 'ready'}`);
          const creds = a.credentials.filter((c) => c.type !== 'password');
          io.out(`  credentials   ${creds.map((c) => `${c.label}${c.phishingResistant ? ' [phishing-resistant]' : ''}`).join(', ') || 'none'}`);
          io.out(`  phishing-resistant ${a.phishingResistantCount} (needs 2)`);
          io.out(`  last test     ${a.lastTest ? `${a.lastTest.at} ${a.lastTest.result} by ${a.lastTest.actor}` : 'never'}${a.testOverdue ? `  OVERDUE (every ${report.testIntervalDays} days)` : ''}`);
          io.out(`  last sign-in  ${a.lastSigninAt ?? 'never'}`);
          for (const p of a.problems) io.out(`  ! ${p}`);
        }
      }
      return values.check && notReady.length ? 1 : 0;
    }
    case 'test': {
      const { values, positionals } = parse(rest, { result: { type: 'string' }, notes: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected one username\nusage: ${USAGE}`, 2);
      if (values.result && !['pass', 'fail'].includes(values.result)) throw new CliError('--result must be pass or fail', 2);
      const t = await withContext((ctx) => recordBreakGlassTest(ctx.store, positionals[0]!, { result: values.result as 'pass' | 'fail' | undefined, notes: values.notes }, by));
      if (values.json) printJson(io, t);
      else io.out(`recorded a ${t.result === 'pass' ? 'passing' : 'FAILED'} test of ${t.username} at ${t.at} by ${t.actor}${t.signinAt ? ` (sign-in at ${t.signinAt})` : ''}`);
      return 0;
    }
    case 'settings': {
      const { values, positionals } = parse(rest, { 'test-interval-days': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const days = values['test-interval-days'];
      if (days !== undefined && !/^\d{1,3}$/.test(days)) throw new CliError('--test-interval-days must be a number of days', 2);
      const s = await withContext((ctx) => (days === undefined ? loadBreakGlassSettings(ctx.store.db) : setBreakGlassSettings(ctx.store, { testIntervalDays: Number(days) }, by)));
      if (values.json) printJson(io, s);
      else io.out(`break-glass accounts must be tested every ${s.testIntervalDays} days`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
