import { grantRole, revokeRole, roleDefinitions, roleHolders } from '../../directory/role-grants.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'grant and revoke roles; list role definitions and holders';

export const USAGE = `tessera role grant <username> <role>
       tessera role revoke <username> <role>
       tessera role list [--json]
       tessera role holders <role> [--json]`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'grant':
    case 'revoke': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 2) throw new CliError(`expected a username and a role\nusage: ${USAGE}`, 2);
      const [user, role] = positionals as [string, string];
      await withContext(async (ctx) => {
        if (sub === 'grant') await grantRole(ctx.store, user, role, by);
        else await revokeRole(ctx.store, user, role, by);
      });
      io.out(sub === 'grant' ? `granted ${role} to ${user}` : `revoked ${role} from ${user}`);
      return 0;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const roles = roleDefinitions();
      if (values.json) printJson(io, roles);
      else printTable(io, roles.map((r) => ({ ...r, permissions: r.permissions.join(' ') })), ['name', 'privileged', 'permissions']);
      return 0;
    }
    case 'holders': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a role\nusage: ${USAGE}`, 2);
      const users = await withContext((ctx) => roleHolders(ctx.store.db, positionals[0]!));
      if (values.json) printJson(io, users);
      else printTable(io, users as unknown as Record<string, unknown>[], ['username', 'status', 'kind', 'id']);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
