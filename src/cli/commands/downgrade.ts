import { readFileSync } from 'node:fs';
import { POLICY_STATES } from '../../policy/document.ts';
import type { DowngradeReport } from '../../policy/downgrade.ts';
import {
  getDowngrade, listDowngrades, previewDowngrade, rejectDowngrade, requestDowngrade, type DowngradeRecord,
} from '../../policy/store/downgrades.ts';
import { approveDowngradeWithAlert } from '../../monitor/policy-downgrades.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';

export const summary = 'policy downgrades (changes that lower what someone must reach): preview, request, approve/reject (another admin), list, show';

export const USAGE = `tessera downgrade preview <change>
       tessera downgrade request <change> --reason "<why>" [--confirm-lockout reason] [--json]
       tessera downgrade approve|reject <id>
       tessera downgrade list [--all] [--json]
       tessera downgrade show <id> [--json]
  where <change> is one of: delete <policy> | set-state <policy> enabled|reportOnly|disabled | save <file.json|-> | import <file.json|->
                            | remove-stage <stage> | stage-enforcement <stage> <time>`;

async function readJson(source: string): Promise<unknown> {
  const text = source === '-' ? await readStdin('the JSON document') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${source === '-' ? 'standard input' : source}: not JSON: ${(err as Error).message}`);
  }
}

/** The change named on the command line, as the store's downgrade change. */
async function changeOf(positionals: string[]): Promise<unknown> {
  const [what, a, b, ...extra] = positionals;
  const bad = () => new CliError(`expected a change\nusage: ${USAGE}`, 2);
  if (extra.length) throw bad();
  if (what === 'delete' && a && !b) return { kind: 'delete', policy: a };
  if (what === 'set-state' && a && b) {
    if (!(POLICY_STATES as readonly string[]).includes(b)) throw new CliError(`state must be one of ${POLICY_STATES.join(', ')}`, 2);
    return { kind: 'state', policy: a, state: b };
  }
  if (what === 'save' && a && !b) return { kind: 'save', policy: await readJson(a) };
  if (what === 'import' && a && !b) return { kind: 'import', bundle: await readJson(a) };
  if (what === 'remove-stage' && a && !b) return { kind: 'remove_stage', stage: a };
  if (what === 'stage-enforcement' && a && b) return { kind: 'stage_enforcement', stage: a, enforceAt: b };
  throw bad();
}

function printReport(io: Io, report: DowngradeReport): void {
  if (!report.losses.length) {
    io.out(`downgrade check: ${report.checkedUsers} people checked, nobody would need less than now`);
    return;
  }
  io.out(`downgrade check: ${report.checkedUsers} people checked, ${report.people.length} would need less than now`);
  for (const l of report.losses) io.out(`  ${l.message}`);
}

function printRecord(io: Io, d: DowngradeRecord): void {
  io.out(`downgrade ${d.id}: ${d.summary} (${d.status}), requested by ${d.requestedBy} at ${d.requestedAt}${d.decidedBy ? `, ${d.status} by ${d.decidedBy}` : ''}`);
  io.out(`  reason: ${d.reason}`);
  printReport(io, d.report);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'preview': {
      const { positionals } = parse(rest, {}, USAGE);
      const change = await changeOf(positionals);
      printReport(io, await withContext((ctx) => previewDowngrade(ctx.store, change as never, by)));
      return 0;
    }
    case 'request': {
      const { values, positionals } = parse(rest, { reason: { type: 'string' }, 'confirm-lockout': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (!values.reason) throw new CliError(`a downgrade needs --reason\nusage: ${USAGE}`, 2);
      const change = await changeOf(positionals);
      const d = await withContext((ctx) => requestDowngrade(ctx.store, { change: change as never, reason: values.reason!, confirmLockout: values['confirm-lockout'] }, by));
      if (values.json) printJson(io, d);
      else {
        printRecord(io, d);
        io.out(`another administrator must approve it: tessera downgrade approve ${d.id}`);
      }
      return 0;
    }
    case 'approve':
    case 'reject': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a downgrade request id\nusage: ${USAGE}`, 2);
      const fn = sub === 'approve' ? approveDowngradeWithAlert : rejectDowngrade;
      const d = await withContext((ctx) => fn(ctx.store, positionals[0]!, by));
      io.out(`downgrade ${d.id} (${d.summary}) is now ${d.status}`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { all: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected ${positionals[0]}\nusage: ${USAGE}`, 2);
      const items = await withContext((ctx) => listDowngrades(ctx.store.db, { status: values.all ? 'all' : 'pending' }));
      if (values.json) printJson(io, items);
      else printTable(io, items.map((d) => ({ ...d, people: d.report.people.length })) as unknown as Record<string, unknown>[], ['id', 'summary', 'status', 'people', 'requestedBy', 'decidedBy', 'reason']);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a downgrade request id\nusage: ${USAGE}`, 2);
      const d = await withContext((ctx) => getDowngrade(ctx.store.db, positionals[0]!));
      if (values.json) printJson(io, d);
      else printRecord(io, d);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
