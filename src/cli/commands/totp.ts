import { findUserByUsername } from '../../directory/users.ts';
import { MethodError } from '../../methods/errors.ts';
import { importTotp, listTotp, removeTotp } from '../../methods/totp/index.ts';
import type { AppContext } from '../../app/context.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';

export const summary = 'manage TOTP authenticators: import a hardware token, list, remove';

export const USAGE = `tessera totp import <username> --secret-stdin [--label l] [--digits 6|8] [--period 30|60] [--algorithm SHA1|SHA256|SHA512] [--json]
       tessera totp list <username> [--json]
       tessera totp remove <username> <credential-id>`;

function positional(positionals: string[], count: number): string[] {
  if (positionals.length !== count) throw new CliError(`expected ${count === 1 ? 'a username' : 'a username and a credential id'}\nusage: ${USAGE}`, 2);
  return positionals;
}

async function userId(ctx: AppContext, username: string): Promise<string> {
  const user = await findUserByUsername(ctx.store.db, username);
  if (!user) throw new CliError(`no user named ${username}`);
  return user.id;
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} must be a number`, 2);
  return Number(value);
}

/** Method errors (bad secret, bad settings) are the operator's input: one line, exit 2. */
async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MethodError) throw new CliError(err.message, err.code === 'user_not_found' ? 1 : 2);
    throw err;
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'import': {
      const { values, positionals } = parse(
        rest,
        {
          'secret-stdin': { type: 'boolean' },
          label: { type: 'string' },
          digits: { type: 'string' },
          period: { type: 'string' },
          algorithm: { type: 'string' },
          json: { type: 'boolean' },
        },
        USAGE,
      );
      const [username] = positional(positionals, 1);
      if (!values['secret-stdin']) throw new CliError(`the token's secret is read from standard input: pass --secret-stdin\nusage: ${USAGE}`, 2);
      const settings = {
        digits: integer(values.digits, '--digits'),
        period: integer(values.period, '--period'),
        algorithm: values.algorithm?.toUpperCase(),
      };
      const secretBase32 = await readStdin("the token's base32 secret");
      const { credentialId } = await withContext((ctx) =>
        asCli(async () => importTotp(ctx, await userId(ctx, username!), { secretBase32, label: values.label, ...settings, actor: cliActor() })),
      );
      if (values.json) printJson(io, { credentialId });
      else io.out(`imported hardware token for ${username} (${credentialId})`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [username] = positional(positionals, 1);
      const rows = await withContext(async (ctx) => listTotp(ctx, await userId(ctx, username!)));
      if (values.json) printJson(io, rows);
      else printTable(io, rows as unknown as Record<string, unknown>[], ['id', 'label', 'source', 'digits', 'period', 'algorithm', 'createdAt', 'lastUsedAt']);
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, USAGE);
      const [username, id] = positional(positionals, 2);
      const removed = await withContext(async (ctx) => removeTotp(ctx, await userId(ctx, username!), id!, { actor: cliActor() }));
      if (!removed) throw new CliError(`${username} has no TOTP credential ${id}`);
      io.out(`removed TOTP credential ${id} of ${username}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
