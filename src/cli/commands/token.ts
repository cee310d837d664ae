import { createApiToken, listApiTokens, ownerLabel, revokeApiToken, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, type ApiToken } from '../../directory/api-tokens.ts';
import { isRole, ROLES } from '../../directory/roles.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'admin API tokens: create (shown once), list, revoke';

export const USAGE = `tessera token create --role ${ROLES.join('|')} --name <name> --owner <username> [--expires <ISO time | Nd>] [--json]
       tessera token list [--all] [--json]
       tessera token revoke <id>
  --owner    the person who answers for the token; it may not hold more than they do, and stops working when they are disabled
  --expires  when it stops working: an ISO time (2027-03-31 or 2027-03-31T18:00:00Z) or a number of days (30d);
             default ${TOKEN_DEFAULT_DAYS}d, at most ${TOKEN_MAX_DAYS}d (--expires-days N is the same as --expires Nd)`;

type Expiry = { expiresInDays?: number; expiresAt?: string };

/** "30d" or an ISO date or time; a date alone means midnight UTC that day. */
export function parseExpiry(value: string): Expiry {
  const days = /^(\d+)d$/.exec(value);
  if (days) {
    const n = Number(days[1]);
    if (n < 1 || n > TOKEN_MAX_DAYS) throw new CliError(`--expires: a token lives 1 to ${TOKEN_MAX_DAYS} days (${value})`, 2);
    return { expiresInDays: n };
  }
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new CliError(`--expires takes an ISO time (2027-03-31, 2027-03-31T18:00:00Z) or a number of days (30d), not ${value}`, 2);
  }
  return { expiresAt: at.toISOString() };
}

function expiryOption(expires: string | undefined, days: string | undefined): Expiry {
  if (expires !== undefined && days !== undefined) throw new CliError('give --expires or --expires-days, not both', 2);
  if (days !== undefined) return parseExpiry(/^\d+$/.test(days) ? `${days}d` : days);
  return expires === undefined ? {} : parseExpiry(expires);
}

/** A token as one row of the listing people read. */
function listed(t: ApiToken): Record<string, unknown> {
  return {
    id: t.id, name: t.name, role: t.role, owner: ownerLabel(t.owner), state: t.state.replace('_', ' '),
    expires: t.expiresAt, 'last used': t.lastUsedAt, from: t.lastUsedAddress,
  };
}

async function create(rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    rest,
    {
      role: { type: 'string' }, name: { type: 'string' }, owner: { type: 'string' },
      expires: { type: 'string' }, 'expires-days': { type: 'string' }, json: { type: 'boolean' },
    },
    USAGE,
  );
  if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
  if (!values.role) throw new CliError(`--role is required\nusage: ${USAGE}`, 2);
  if (!isRole(values.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`, 2);
  // The command line is no person, and guessing one from the operating-system user could
  // hand a token to whoever shares that name: the owner is always named.
  if (!values.owner) throw new CliError('--owner <username> is required: name the person who answers for this token', 2);
  if (!values.name) throw new CliError('--name is required: say what the token is for (it is shown in every list)', 2);
  const input = { role: values.role, name: values.name, owner: values.owner, ...expiryOption(values.expires, values['expires-days']) };
  const issued = await withContext((ctx) => createApiToken(ctx.store, input, { actor: cliActor() }));
  if (values.json) {
    printJson(io, issued);
    return 0;
  }
  io.out(`created API token ${issued.id} (${issued.name}, role ${issued.role}, owner ${ownerLabel(issued.owner)}, expires ${issued.expiresAt})`);
  io.out('The token is shown this once; store it now:');
  io.out(issued.token);
  return 0;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
      return create(rest, io);
    case 'list': {
      const { values, positionals } = parse(rest, { all: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const tokens = await withContext((ctx) => listApiTokens(ctx.store.db, { includeRevoked: values.all }));
      if (values.json) printJson(io, tokens);
      else printTable(io, tokens.map(listed), ['id', 'name', 'role', 'owner', 'state', 'expires', 'last used', 'from']);
      return 0;
    }
    case 'revoke': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a token id\nusage: ${USAGE}`, 2);
      const token = await withContext((ctx) => revokeApiToken(ctx.store, positionals[0]!, { actor: cliActor() }));
      io.out(`revoked API token ${token.id} (${token.name})`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
