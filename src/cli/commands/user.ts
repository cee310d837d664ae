import { createUser, disableUser, enableUser, listUsers, setUserPassword, USER_KINDS, USER_STATUSES, type User } from '../../directory/users.ts';
import { endAccessIn } from '../../protocols/oidc/end-access.ts';
import { describeUser } from '../../directory/user-details.ts';
import { unlockUserFactors } from '../../directory/factor-unlock.ts';
import { METHOD_TYPES } from '../../methods/method.ts';
import type { FactorThrottleStatus } from '../../methods/throttle/unlock.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';

export const summary = 'manage users: create, list, show, disable, enable, set-password, unlock';

export const USAGE = `tessera user create <username> [--email e] [--display-name n] [--kind ${USER_KINDS.join('|')}] [--password-stdin] [--json]
       tessera user list [--status ${USER_STATUSES.join('|')}] [--kind k] [--search text] [--json]
       tessera user show <username> [--json]
       tessera user disable <username>
       tessera user enable <username>
       tessera user set-password <username>     (the password is read from standard input)
       tessera user unlock <username> [--method ${METHOD_TYPES.join('|')}]   (clears failed attempts and locks; all factors without --method)`;

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new CliError(`expected one ${what}\nusage: ${USAGE}`, 2);
  return positionals[0]!;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${flag} must be one of ${allowed.join(', ')}`, 2);
  return value as T;
}

const userColumns = ['username', 'kind', 'status', 'email', 'displayName', 'id'];

/** "totp locked until the helpdesk unlocks it (100 failures)", "password 3 failures", … */
function describeLocks(locks: FactorThrottleStatus[]): string {
  if (!locks.length) return '-';
  return locks
    .map((l) => {
      const failures = `${l.failures} failure${l.failures === 1 ? '' : 's'}`;
      if (l.permanent) return `${l.method} locked until unlocked (${failures})`;
      if (l.blocked && l.lockedUntil) return `${l.method} locked until ${l.lockedUntil} (${failures})`;
      return `${l.method} ${failures}`;
    })
    .join('; ');
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(
        rest,
        {
          email: { type: 'string' },
          'display-name': { type: 'string' },
          kind: { type: 'string' },
          'password-stdin': { type: 'boolean' },
          json: { type: 'boolean' },
        },
        USAGE,
      );
      const username = one(positionals, 'username');
      const kind = oneOf(values.kind, USER_KINDS, '--kind');
      const password = values['password-stdin'] ? await readStdin('the password') : undefined;
      const user = await withContext((ctx) =>
        createUser(ctx.store, { username, email: values.email, displayName: values['display-name'], kind, password }, by, { issuer: ctx.config.issuer }),
      );
      if (values.json) printJson(io, user);
      else io.out(`created user ${user.username} (${user.id})${password ? ' with a password' : ''}`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(
        rest,
        { status: { type: 'string' }, kind: { type: 'string' }, search: { type: 'string' }, json: { type: 'boolean' } },
        USAGE,
      );
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const filter = {
        status: oneOf(values.status, USER_STATUSES, '--status'),
        kind: oneOf(values.kind, USER_KINDS, '--kind'),
        search: values.search,
        limit: 500,
      };
      const users = await withContext((ctx) => listUsers(ctx.store.db, filter));
      if (values.json) printJson(io, users);
      else printTable(io, users as unknown as Record<string, unknown>[], userColumns);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const details = await withContext((ctx) => describeUser(ctx.store.db, one(positionals, 'username')));
      if (values.json) {
        printJson(io, details);
        return 0;
      }
      const rows: Array<[string, string]> = [
        ['username', details.username],
        ['id', details.id],
        ['kind', details.kind],
        ['status', details.status],
        ['email', details.email ?? '-'],
        ['display name', details.displayName ?? '-'],
        ['password', details.hasPassword ? 'set' : 'not set'],
        ['roles', details.roles.map((r) => r.role).join(', ') || '-'],
        ['groups', details.groups.map((g) => g.name).join(', ') || '-'],
        ['failed tries', describeLocks(details.factorLocks)],
        ['created', details.createdAt],
        ['updated', details.updatedAt],
      ];
      for (const [k, v] of rows) io.out(`${k.padEnd(13)} ${v}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const { positionals } = parse(rest, {}, USAGE);
      const ref = one(positionals, 'username');
      const user: User = await withContext((ctx) => (sub === 'disable' ? disableUser : enableUser)(ctx.store, ref, by));
      io.out(`${user.username} is ${user.status}`);
      return 0;
    }
    case 'set-password': {
      const { positionals } = parse(rest, {}, USAGE);
      const ref = one(positionals, 'username');
      const password = await readStdin('the password');
      await withContext((ctx) => setUserPassword(ctx.store, ref, password, by, { endAccess: endAccessIn, issuer: ctx.config.issuer }));
      io.out(`password set for ${ref}; signed out of every session and app`);
      return 0;
    }
    case 'unlock': {
      const { values, positionals } = parse(rest, { method: { type: 'string' } }, USAGE);
      const ref = one(positionals, 'username');
      const method = oneOf(values.method, METHOD_TYPES, '--method');
      const out = await withContext((ctx) => unlockUserFactors(ctx.store, ref, method, by));
      io.out(out.unlocked.length ? `unlocked ${out.unlocked.join(', ')} for ${out.user.username}` : `nothing to unlock for ${out.user.username}${method ? ` (${method})` : ''}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
