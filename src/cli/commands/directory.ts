import { readFileSync } from 'node:fs';
import { addSource, getSource, listSources, removeSource, updateSource } from '../../protocols/ldap/sources.ts';
import type { SourceSettingsInput } from '../../protocols/ldap/settings.ts';
import { formatReport } from '../../protocols/ldap/report.ts';
import { lastRuns, syncSource } from '../../protocols/ldap/sync.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';

export const summary = 'LDAP / Active Directory sources: source add|update (bind password from stdin), list, show, remove; sync [--dry-run]';

export const USAGE = `tessera directory source add <name> --url ldaps://host[:port] | --url ldap://host[:port] --start-tls
           [--ca-file ca.pem] [--allow-plain] [--flavor openldap|ad] --bind-dn <dn> --bind-password-stdin
           --user-base <dn> [--user-filter f] [--username-attribute a] [--email-attribute a] [--display-name-attribute a]
           [--disabled-filter f] [--group-base <dn>] [--group-filter f] [--group-name-attribute a] [--member-attribute a]
           [--password-bind] [--adopt-local] [--interval-minutes n] [--offboard-after-days n] [--json]
       tessera directory source update <name> <the add options: the settings are replaced> [--bind-password-stdin for a new one]
       tessera directory source list [--json]
       tessera directory source show <name> [--json]
       tessera directory source remove <name>
       tessera directory sync [<name>] [--dry-run] [--json]     (every source without a name)`;

const ADD_OPTIONS = {
  url: { type: 'string' }, 'start-tls': { type: 'boolean' }, 'ca-file': { type: 'string' }, 'allow-plain': { type: 'boolean' },
  flavor: { type: 'string' }, 'bind-dn': { type: 'string' }, 'bind-password-stdin': { type: 'boolean' },
  'user-base': { type: 'string' }, 'user-filter': { type: 'string' }, 'username-attribute': { type: 'string' },
  'email-attribute': { type: 'string' }, 'display-name-attribute': { type: 'string' }, 'disabled-filter': { type: 'string' },
  'group-base': { type: 'string' }, 'group-filter': { type: 'string' }, 'group-name-attribute': { type: 'string' }, 'member-attribute': { type: 'string' },
  'password-bind': { type: 'boolean' }, 'adopt-local': { type: 'boolean' }, 'interval-minutes': { type: 'string' }, 'offboard-after-days': { type: 'string' }, json: { type: 'boolean' },
} as const;

type AddValues = ReturnType<typeof parse<typeof ADD_OPTIONS>>['values'];

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} must be a whole number`, 2);
  return Number(value);
}

function settingsFrom(v: AddValues): SourceSettingsInput {
  if (!v.url || !v['bind-dn'] || !v['user-base']) throw new CliError(`expected --url, --bind-dn and --user-base\nusage: ${USAGE}`, 2);
  if (v.flavor && v.flavor !== 'openldap' && v.flavor !== 'ad') throw new CliError('--flavor must be openldap or ad', 2);
  const groups = v['group-base']
    ? { baseDn: v['group-base'], filter: v['group-filter'], nameAttribute: v['group-name-attribute'], memberAttribute: v['member-attribute'] }
    : undefined;
  return {
    url: v.url, flavor: v.flavor as 'openldap' | 'ad' | undefined, startTls: v['start-tls'], allowPlain: v['allow-plain'],
    caPem: v['ca-file'] ? readFileSync(v['ca-file'], 'utf8') : undefined, bindDn: v['bind-dn'],
    users: {
      baseDn: v['user-base'], filter: v['user-filter'], usernameAttribute: v['username-attribute'], emailAttribute: v['email-attribute'],
      displayNameAttribute: v['display-name-attribute'], disabledFilter: v['disabled-filter'],
    },
    groups, passwordBind: v['password-bind'], adoptLocal: v['adopt-local'],
    intervalMinutes: count(v['interval-minutes'], '--interval-minutes'), offboardAfterDays: count(v['offboard-after-days'], '--offboard-after-days'),
  };
}

/** zod's .default() fills undefined only: flags not given must not be present at all. */
function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function source(rest: string[], io: Io, by: { actor: string }): Promise<number> {
  const [sub, ...args] = rest;
  switch (sub) {
    case 'add': {
      const { values, positionals } = parse(args, ADD_OPTIONS, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a name\nusage: ${USAGE}`, 2);
      if (!values['bind-password-stdin']) throw new CliError('the bind password is read from standard input only: give --bind-password-stdin', 2);
      const settings = withoutUndefined(settingsFrom(values));
      const bindPassword = await readStdin('the bind password');
      const added = await withContext((ctx) => addSource(ctx.store, ctx.secrets, { name: positionals[0]!, bindPassword, settings }, by));
      if (values.json) printJson(io, added);
      else io.out(`added directory source ${added.name} (${added.settings.flavor}, ${added.settings.url}); try it with: tessera directory sync ${added.name} --dry-run`);
      return 0;
    }
    case 'update': {
      const { values, positionals } = parse(args, ADD_OPTIONS, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a name\nusage: ${USAGE}`, 2);
      const settings = withoutUndefined(settingsFrom(values));
      const bindPassword = values['bind-password-stdin'] ? await readStdin('the bind password') : undefined;
      const updated = await withContext((ctx) => updateSource(ctx.store, ctx.secrets, positionals[0]!, { settings, bindPassword }, by));
      if (values.json) printJson(io, updated);
      else io.out(`updated directory source ${updated.name}${bindPassword ? ' and its bind password' : ''}`);
      return 0;
    }
    case 'list': {
      const { values } = parse(args, { json: { type: 'boolean' } }, USAGE);
      const sources = await withContext((ctx) => listSources(ctx.store.db));
      if (values.json) printJson(io, sources);
      else printTable(io, sources.map((s) => ({ name: s.name, flavor: s.settings.flavor, url: s.settings.url, users: s.settings.users.baseDn, passwordBind: s.settings.passwordBind, every: s.settings.intervalMinutes ? `${s.settings.intervalMinutes} min` : 'on demand' })), ['name', 'flavor', 'url', 'users', 'passwordBind', 'every']);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(args, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a name\nusage: ${USAGE}`, 2);
      const shown = await withContext(async (ctx) => {
        const s = await getSource(ctx.store.db, positionals[0]!);
        return { ...s, runs: await lastRuns(ctx.store, s.id) };
      });
      if (values.json) printJson(io, shown);
      else {
        io.out(JSON.stringify(shown.settings, null, 2));
        io.out('last syncs:');
        for (const r of shown.runs) io.out(`  ${r.startedAt}${r.dryRun ? ' (dry run)' : ''} by ${r.actor}: ${r.error ? `failed: ${r.error}` : JSON.stringify('counts' in r.report ? r.report.counts : {})}`);
      }
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(args, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a name\nusage: ${USAGE}`, 2);
      const removed = await withContext((ctx) => removeSource(ctx.store, positionals[0]!, by));
      io.out(`removed directory source ${removed.name}; its people and groups stay, as local ones`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}

async function sync(rest: string[], io: Io, by: { actor: string }): Promise<number> {
  const { values, positionals } = parse(rest, { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
  if (positionals.length > 1) throw new CliError(`expected at most one source name\nusage: ${USAGE}`, 2);
  const reports = await withContext(async (ctx) => {
    const names = positionals.length ? positionals : (await listSources(ctx.store.db)).map((s) => s.name);
    const out = [];
    for (const name of names) out.push(await syncSource(ctx.store, ctx.secrets, name, { by, dryRun: values['dry-run'] }));
    return out;
  });
  if (values.json) printJson(io, reports);
  else if (!reports.length) io.out('no directory source is configured (tessera directory source add …)');
  else for (const r of reports) for (const line of formatReport(r)) io.out(line);
  return 0;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [group, ...rest] = argv;
  const by = { actor: cliActor() };
  if (group === 'source') return source(rest, io, by);
  if (group === 'sync') return sync(rest, io, by);
  throw new CliError(`${group ? `unknown subcommand '${group}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
}
