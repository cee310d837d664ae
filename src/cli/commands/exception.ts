import { approveException, listExceptions, rejectException, requestException, revokeException } from '../../policy/store/exceptions.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'policy exceptions: request (end date + reason), approve/reject (another admin), revoke, list active and expiring';

export const USAGE = `tessera exception request --policy <id|name> (--user <u> | --group <g>) --until <YYYY-MM-DD|time> --reason "<why>" [--json]
       tessera exception approve|reject|revoke <id>
       tessera exception list [--status active|expiring|pending|all] [--policy p] [--json]`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'request': {
      const { values, positionals } = parse(rest, {
        policy: { type: 'string' }, user: { type: 'string' }, group: { type: 'string' }, until: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' },
      }, USAGE);
      if (positionals.length || !values.policy || !values.until || !values.reason || (!values.user && !values.group)) {
        throw new CliError(`an exception needs --policy, --user or --group, --until and --reason\nusage: ${USAGE}`, 2);
      }
      const ex = await withContext((ctx) => requestException(ctx.store, {
        policy: values.policy!, user: values.user, group: values.group, endsAt: values.until!, reason: values.reason!,
      }, by));
      if (values.json) printJson(io, ex);
      else io.out(`requested exception ${ex.id}: ${ex.subjectKind} ${ex.subject} from "${ex.policyName}" until ${ex.endsAt}; another administrator must approve it`);
      return 0;
    }
    case 'approve':
    case 'reject':
    case 'revoke': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected an exception id\nusage: ${USAGE}`, 2);
      const fn = sub === 'approve' ? approveException : sub === 'reject' ? rejectException : revokeException;
      const ex = await withContext((ctx) => fn(ctx.store, positionals[0]!, by));
      io.out(`exception ${ex.id} is now ${ex.effective}${ex.effective === 'active' ? ` until ${ex.endsAt}` : ''}`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { status: { type: 'string' }, policy: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected ${positionals[0]}\nusage: ${USAGE}`, 2);
      const items = await withContext((ctx) => listExceptions(ctx.store.db, { status: values.status as never, policy: values.policy }));
      if (values.json) printJson(io, items);
      else printTable(io, items as unknown as Record<string, unknown>[], ['id', 'policyName', 'subjectKind', 'subject', 'effective', 'endsAt', 'requestedBy', 'decidedBy', 'reason']);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
