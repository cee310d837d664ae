import { addStage, applyTemplate, listStages, removeStage, setStageEnforcement, stageCoverage } from '../../policy/store/rollout.ts';
import { LockoutRefusedError } from '../../policy/store/lockout-gate.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'staged MFA roll-out: template, add stages, enforcement dates, coverage per stage';

export const USAGE = `tessera rollout template --pilot <group> [--departments g1,g2] [--start time] [--interval-days 14]
                          [--strength mfa] [--method totp|webauthn] [--snoozes 3] [--confirm-lockout reason]
       tessera rollout add <name> (--groups g1,g2 | --roles r1) --enforce-at <time> [--strength mfa] [--method totp|webauthn]
                          [--snoozes 3] [--campaign-from time] [--confirm-lockout reason]
       tessera rollout enforce <stage> <time> [--confirm-lockout reason]
       tessera rollout remove <stage>
       tessera rollout status [--json]`;

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LockoutRefusedError) throw new CliError(err.needsConfirmation ? `${err.message} (--confirm-lockout "<reason>")` : err.message);
    throw err;
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'template': {
      const { values } = parse(rest, {
        pilot: { type: 'string' }, departments: { type: 'string' }, start: { type: 'string' }, 'interval-days': { type: 'string' },
        strength: { type: 'string' }, method: { type: 'string' }, snoozes: { type: 'string' }, 'confirm-lockout': { type: 'string' },
      }, USAGE);
      if (!values.pilot) throw new CliError(`--pilot is required\nusage: ${USAGE}`, 2);
      const stages = await guarded(() => withContext((ctx) => applyTemplate(ctx.store, {
        pilotGroup: values.pilot!, departments: list(values.departments), start: values.start, intervalDays: num(values['interval-days']),
        strength: values.strength, preferredMethod: values.method as never, snoozeLimit: num(values.snoozes),
      }, by, { confirmLockout: values['confirm-lockout'] })));
      for (const s of stages) io.out(`stage ${s.position} ${s.name}: enforced from ${s.enforceAt}`);
      return 0;
    }
    case 'add': {
      const { values, positionals } = parse(rest, {
        groups: { type: 'string' }, roles: { type: 'string' }, 'enforce-at': { type: 'string' }, strength: { type: 'string' }, method: { type: 'string' },
        snoozes: { type: 'string' }, 'campaign-from': { type: 'string' }, 'confirm-lockout': { type: 'string' },
      }, USAGE);
      if (positionals.length !== 1 || !values['enforce-at']) throw new CliError(`expected a stage name and --enforce-at\nusage: ${USAGE}`, 2);
      const s = await guarded(() => withContext((ctx) => addStage(ctx.store, {
        name: positionals[0]!, groups: list(values.groups), roles: list(values.roles), enforceAt: values['enforce-at']!, strength: values.strength,
        preferredMethod: values.method as never, snoozeLimit: num(values.snoozes), campaignFrom: values['campaign-from'],
      }, by, { confirmLockout: values['confirm-lockout'] })));
      io.out(`added stage ${s.position} ${s.name}: report-only until ${s.enforceAt}`);
      return 0;
    }
    case 'enforce': {
      const { values, positionals } = parse(rest, { 'confirm-lockout': { type: 'string' } }, USAGE);
      if (positionals.length !== 2) throw new CliError(`expected a stage and a time\nusage: ${USAGE}`, 2);
      const s = await guarded(() => withContext((ctx) => setStageEnforcement(ctx.store, positionals[0]!, positionals[1]!, by, { confirmLockout: values['confirm-lockout'] })));
      io.out(`stage ${s.name} is enforced from ${s.enforceAt}`);
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a stage\nusage: ${USAGE}`, 2);
      const s = await withContext((ctx) => removeStage(ctx.store, positionals[0]!, by));
      io.out(`removed stage ${s.name} and its policy`);
      return 0;
    }
    case 'status': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const coverage = await withContext(async (ctx) => {
        const out = [];
        for (const s of await listStages(ctx.store.db)) out.push(await stageCoverage(ctx.store.db, s));
        return out;
      });
      if (values.json) {
        printJson(io, coverage);
        return 0;
      }
      printTable(io, coverage.map((c) => ({
        stage: `${c.position}. ${c.name}`,
        enforced: c.enforced ? 'yes' : `from ${c.enforceAt.slice(0, 10)}`,
        coverage: `${c.registered}/${c.total}${c.total ? ` (${Math.round((100 * c.registered) / c.total)}%)` : ''}`,
        byStrength: Object.entries(c.byStrength).map(([k, v]) => `${k}:${v}`).join(' '),
        byMethod: Object.entries(c.byMethod).map(([k, v]) => `${k}:${v}`).join(' '),
      })), ['stage', 'enforced', 'coverage', 'byStrength', 'byMethod']);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
