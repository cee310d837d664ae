import { approveTap, issueTap, listTaps, loadTapPolicy, revokeTap, setTapPolicy, type TapPolicyPatch, type TapView } from '../../recovery/tap/index.ts';
import { cliOperator } from '../../recovery/operator.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'Temporary Access Passes: create, approve, revoke, show; the TAP policy';

export const USAGE = `tessera tap create <username> [--lifetime 1h] [--start ISO-time] [--multi-use] [--length n] [--approver <username>] [--as <username>] [--json]
       tessera tap approve <tap-id> [--as <username>] [--json]
       tessera tap revoke <username> [--reason text] [--json]
       tessera tap show <username> [--json]
       tessera tap policy [--default-lifetime 1h] [--min-lifetime 10m] [--max-lifetime 8h] [--default-length n] [--allow-multi-use | --one-time-only] [--json]
--as names the person acting (default: the account named like the operating-system user).`;

/** "90", "90m", "1h", "2d" → minutes. */
export function parseLifetime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,6})\s*(m|min|h|d)?$/i.exec(value.trim());
  if (!m) throw new CliError(`${flag} must be like 30m, 1h or 2d`, 2);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'm').toLowerCase();
  return unit === 'd' ? n * 1440 : unit === 'h' ? n * 60 : n;
}

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value)) throw new CliError(`${flag} must be a number`, 2);
  return Number(value);
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new CliError(`expected one ${what}\nusage: ${USAGE}`, 2);
  return positionals[0]!;
}

/** Groups of four, easier to read out over the phone; typed with or without the spaces. */
export function grouped(pass: string): string {
  return pass.match(/.{1,4}/g)!.join(' ');
}

function describe(io: Io, t: TapView): void {
  const rows: Array<[string, string]> = [
    ['id', t.id],
    ['state', t.state],
    ['use', t.oneTime ? 'one-time' : `multi-use (used ${t.useCount} times)`],
    ['valid from', t.startsAt],
    ['valid until', t.expiresAt],
    // The person acting first; the channel (API token, command line account) after it.
    ['issued', `${t.createdAt} by ${t.issuedByUsername ?? t.issuedBy} (through ${t.createdBy})`],
    ['approval', t.needsApproval ? (t.approvedAt ? `approved ${t.approvedAt} by ${t.approvedByUsername ?? t.approvedBy}` : 'waiting for a second privileged approver') : 'not needed'],
    ['last used', t.lastUsedAt ?? '-'],
    ['ended', t.endedAt ? `${t.endedAt} (${t.endReason ?? ''})` : '-'],
  ];
  for (const [k, v] of rows) io.out(`${k.padEnd(12)} ${v}`);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  const osUser = by.actor.slice('cli:'.length);
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(rest, {
        lifetime: { type: 'string' }, start: { type: 'string' }, 'multi-use': { type: 'boolean' }, length: { type: 'string' },
        approver: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' },
      }, USAGE);
      const username = one(positionals, 'username');
      if (values.start !== undefined && Number.isNaN(Date.parse(values.start))) throw new CliError('--start must be an ISO-8601 time, e.g. 2030-01-31T08:00:00Z', 2);
      const issued = await withContext(async (ctx) => issueTap(ctx, {
        user: username,
        operator: await cliOperator(ctx.store.db, values.as, osUser),
        lifetimeMinutes: parseLifetime(values.lifetime, '--lifetime'),
        startsAt: values.start === undefined ? undefined : new Date(values.start).toISOString(),
        multiUse: values['multi-use'],
        length: integer(values.length, '--length'),
        approver: values.approver,
      }, by));
      if (values.json) {
        printJson(io, issued);
        return 0;
      }
      const t = issued.tap;
      io.out(`Temporary Access Pass for ${username} (${t.oneTime ? 'one-time' : 'multi-use'}, valid ${t.startsAt} to ${t.expiresAt}):`);
      io.out('');
      io.out(`    ${grouped(issued.pass)}`);
      io.out('');
      io.out('Shown once. Deliver it by phone call, in person or encrypted message, never by email.');
      if (t.state === 'pending_approval') io.out(`It works only after a second privileged person approves it: tessera tap approve ${t.id} --as <approver>`);
      io.out(`id ${t.id}`);
      return 0;
    }
    case 'approve': {
      const { values, positionals } = parse(rest, { as: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const id = one(positionals, 'pass id');
      const tap = await withContext(async (ctx) => approveTap(ctx.store, id, await cliOperator(ctx.store.db, values.as, osUser), by));
      if (values.json) printJson(io, tap);
      else io.out(`approved: the pass ${tap.id} works from ${tap.startsAt} until ${tap.expiresAt}`);
      return 0;
    }
    case 'revoke': {
      const { values, positionals } = parse(rest, { reason: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const username = one(positionals, 'username');
      const tap = await withContext((ctx) => revokeTap(ctx.store, username, { ...by, reason: values.reason }));
      if (values.json) printJson(io, { revoked: tap });
      else io.out(tap ? `revoked the pass of ${username} (${tap.id})` : `${username} has no live pass`);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const username = one(positionals, 'username');
      const taps = await withContext((ctx) => listTaps(ctx.store.db, username));
      if (values.json) {
        printJson(io, taps);
        return 0;
      }
      if (!taps.length) {
        io.out(`${username} has never had a pass`);
        return 0;
      }
      describe(io, taps[0]!);
      if (taps.length > 1) {
        io.out('');
        io.out('earlier:');
        printTable(io, taps.slice(1) as unknown as Record<string, unknown>[], ['id', 'state', 'createdAt', 'expiresAt', 'useCount']);
      }
      return 0;
    }
    case 'policy': {
      const { values, positionals } = parse(rest, {
        'default-lifetime': { type: 'string' }, 'min-lifetime': { type: 'string' }, 'max-lifetime': { type: 'string' },
        'default-length': { type: 'string' }, 'allow-multi-use': { type: 'boolean' }, 'one-time-only': { type: 'boolean' }, json: { type: 'boolean' },
      }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      if (values['allow-multi-use'] && values['one-time-only']) throw new CliError('--allow-multi-use and --one-time-only contradict each other', 2);
      const patch: TapPolicyPatch = {
        defaultLifetimeMinutes: parseLifetime(values['default-lifetime'], '--default-lifetime'),
        minLifetimeMinutes: parseLifetime(values['min-lifetime'], '--min-lifetime'),
        maxLifetimeMinutes: parseLifetime(values['max-lifetime'], '--max-lifetime'),
        defaultLength: integer(values['default-length'], '--default-length'),
        allowMultiUse: values['allow-multi-use'] ? true : values['one-time-only'] ? false : undefined,
      };
      const change = Object.values(patch).some((v) => v !== undefined);
      const policy = await withContext((ctx) => (change ? setTapPolicy(ctx.store, patch, by) : loadTapPolicy(ctx.store.db)));
      if (values.json) printJson(io, policy);
      else {
        io.out(`lifetime     default ${policy.defaultLifetimeMinutes} min, from ${policy.minLifetimeMinutes} to ${policy.maxLifetimeMinutes} min`);
        io.out(`length       ${policy.defaultLength} characters by default`);
        io.out(`multi-use    ${policy.allowMultiUse ? 'allowed' : 'not allowed (one-time passes only)'}`);
      }
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
