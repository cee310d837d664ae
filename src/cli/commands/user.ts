import { createUser, disableUser, enableUser, listUsers, setUserPassword, USER_KINDS, USER_STATUSES, type User } from '../../directory/users.ts';
import type { RegisteredMethod } from '../../directory/user-methods.ts';
import { METHOD_TYPES } from '../../methods/method.ts';
import type { FactorThrottleStatus } from '../../methods/throttle/unlock.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';
import { CSV_USAGE } from '../user-csv.ts';

// Each subcommand loads what only it needs when it runs (import() below), so a listing stays quick.

export const summary = 'manage users: create, list, show, disable, enable, set-password, unlock, remove-method, clear-suspension, import, export';

export const USAGE = `tessera user create <username> [--email e] [--display-name n] [--kind ${USER_KINDS.join('|')}] [--password-stdin] [--json]
       tessera user list [--status ${USER_STATUSES.join('|')}] [--kind k] [--search text] [--json]
       tessera user show <username> [--json]
       tessera user disable <username>
       tessera user enable <username>
       tessera user set-password <username>     (the password is read from standard input)
       tessera user unlock <username> [--method ${METHOD_TYPES.join('|')}]   (clears failed attempts and locks; all factors without --method)
       tessera user remove-method <username> <type>:<id> [--json]   (ids as user show lists them, e.g. webauthn:5f2c…)
       tessera user clear-suspension <username> <key-id> [--note text]   (a key suspended after a clone signal is accepted again)
       ${CSV_USAGE}`;

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

/** One line per method: what the helpdesk needs to tell the lost phone's from the new one's, and the id to remove it by. */
function methodLines(methods: RegisteredMethod[]): string[] {
  return methods.map((m) => {
    const parts = [`${m.type}:${m.id}`, m.kind, `"${m.name}"`];
    if (m.model) parts.push(`model ${m.model}`);
    parts.push(`added ${m.createdAt}`, `last used ${m.lastUsedAt ?? 'never'}`);
    if (m.deviceLabel) parts.push(`on device ${m.deviceLabel} (${m.deviceId})`);
    if (m.suspendedAt) parts.push(`SUSPENDED since ${m.suspendedAt} (possible copy)`);
    if (!m.allowedByPolicy) parts.push('not allowed by the methods policy');
    return parts.join('  ');
  });
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
      const { describeUser } = await import('../../directory/user-details.ts');
      const { describeOrigin } = await import('../../directory/provenance.ts');
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
        ['source', details.origin.kind === 'ldap' ? `${describeOrigin(details.origin)} (${details.origin.dn})` : describeOrigin(details.origin)],
        ['password', details.origin.kind === 'ldap' && details.origin.passwordInDirectory ? 'checked by the directory' : details.hasPassword ? 'set' : 'not set'],
        ['roles', details.roles.map((r) => r.role).join(', ') || '-'],
        ['groups', details.groups.map((g) => g.name).join(', ') || '-'],
        ['failed tries', describeLocks(details.factorLocks)],
        ['created', details.createdAt],
        ['updated', details.updatedAt],
      ];
      for (const [k, v] of rows) io.out(`${k.padEnd(13)} ${v}`);
      io.out(`methods${details.methods.length ? '' : '       none'}`);
      for (const line of methodLines(details.methods)) io.out(`  ${line}`);
      return 0;
    }
    case 'remove-method': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 2) throw new CliError(`expected a username and a method as type:id\nusage: ${USAGE}`, 2);
      const [ref, method] = positionals as [string, string];
      const i = method.indexOf(':');
      if (i < 1 || i === method.length - 1) throw new CliError('the method must be type:id, e.g. webauthn:5f2c… (user show lists them)', 2);
      const { removeUserMethod } = await import('../../directory/user-methods.ts');
      const out = await withContext((ctx) => removeUserMethod(ctx, ref, { type: method.slice(0, i), id: method.slice(i + 1) }, by));
      if (values.json) {
        printJson(io, out);
        return 0;
      }
      io.out(`removed ${out.removed.kind} "${out.removed.name}" of ${ref}`);
      for (const w of out.warnings) io.out(`warning: ${w}`);
      return 0;
    }
    case 'clear-suspension': {
      const { values, positionals } = parse(rest, { note: { type: 'string' } }, USAGE);
      if (positionals.length !== 2) throw new CliError(`expected a username and a key id\nusage: ${USAGE}`, 2);
      const [ref, id] = positionals as [string, string];
      const { clearKeySuspension } = await import('../../directory/user-methods.ts');
      const key = await withContext((ctx) => clearKeySuspension(ctx.store, ref, id.replace(/^webauthn:/, ''), { ...by, note: values.note }));
      io.out(`"${key.name}" of ${ref} is accepted again`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const { positionals } = parse(rest, {}, USAGE);
      const ref = one(positionals, 'username');
      const { refuseIfUserOwned } = await import('../../directory/provenance.ts');
      const user: User = await withContext(async (ctx) => {
        await refuseIfUserOwned(ctx.store.db, ref, ['status']);
        return (sub === 'disable' ? disableUser : enableUser)(ctx.store, ref, by);
      });
      io.out(`${user.username} is ${user.status}`);
      return 0;
    }
    case 'set-password': {
      const { positionals } = parse(rest, {}, USAGE);
      const ref = one(positionals, 'username');
      const password = await readStdin('the password');
      const { refuseIfUserOwned } = await import('../../directory/provenance.ts');
      const { endAccessIn } = await import('../../signin/session/revoke-everywhere.ts');
      await withContext(async (ctx) => {
        await refuseIfUserOwned(ctx.store.db, ref, ['password']);
        await setUserPassword(ctx.store, ref, password, by, { endAccess: endAccessIn, issuer: ctx.config.issuer });
      });
      io.out(`password set for ${ref}; signed out of every session and app`);
      return 0;
    }
    case 'unlock': {
      const { values, positionals } = parse(rest, { method: { type: 'string' } }, USAGE);
      const ref = one(positionals, 'username');
      const method = oneOf(values.method, METHOD_TYPES, '--method');
      const { unlockUserFactors } = await import('../../directory/factor-unlock.ts');
      const out = await withContext((ctx) => unlockUserFactors(ctx.store, ref, method, by));
      io.out(out.unlocked.length ? `unlocked ${out.unlocked.join(', ')} for ${out.user.username}` : `nothing to unlock for ${out.user.username}${method ? ` (${method})` : ''}`);
      return 0;
    }
    case 'import':
      return (await import('../user-csv.ts')).runUserImport(rest, io);
    case 'export':
      return (await import('../user-csv.ts')).runUserExport(rest, io);
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
