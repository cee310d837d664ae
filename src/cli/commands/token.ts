import { createApiToken, listApiTokens, revokeApiToken } from '../../directory/api-tokens.ts';
import { isRole, ROLES } from '../../directory/roles.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'admin API tokens: create (shown once), list, revoke';

export const USAGE = `tessera token create --role ${ROLES.join('|')} [--name n] [--expires-days N] [--json]
       tessera token list [--all] [--json]
       tessera token revoke <id>`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(
        rest,
        { role: { type: 'string' }, name: { type: 'string' }, 'expires-days': { type: 'string' }, json: { type: 'boolean' } },
        USAGE,
      );
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      if (!values.role) throw new CliError(`--role is required\nusage: ${USAGE}`, 2);
      if (!isRole(values.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, 2);
      let expiresInDays: number | undefined;
      if (values['expires-days'] !== undefined) {
        expiresInDays = Number(values['expires-days']);
        if (!Number.isInteger(expiresInDays) || expiresInDays < 1) throw new CliError('--expires-days must be a whole number of days, 1 or more', 2);
      }
      const role = values.role;
      const issued = await withContext((ctx) => createApiToken(ctx.store, { role, name: values.name, expiresInDays }, by));
      if (values.json) {
        printJson(io, issued);
        return 0;
      }
      io.out(`created API token ${issued.id} (${issued.name}, role ${issued.role}${issued.expiresAt ? `, expires ${issued.expiresAt}` : ''})`);
      io.out('The token is shown this once; store it now:');
      io.out(issued.token);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { all: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const tokens = await withContext((ctx) => listApiTokens(ctx.store.db, { includeRevoked: values.all }));
      if (values.json) printJson(io, tokens);
      else printTable(io, tokens as unknown as Record<string, unknown>[], ['id', 'name', 'role', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt']);
      return 0;
    }
    case 'revoke': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a token id\nusage: ${USAGE}`, 2);
      const token = await withContext((ctx) => revokeApiToken(ctx.store, positionals[0]!, by));
      io.out(`revoked API token ${token.id} (${token.name})`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
