import { readFileSync } from 'node:fs';
import { POLICY_STATES, policyJsonSchema, type PolicyState } from '../../policy/document.ts';
import { deletePolicy, getPolicy, listPolicies, loadPolicySet, savePolicy, setPolicyState } from '../../policy/store/policies.ts';
import { deleteNamedLocation, exportBundle, importBundle, saveNamedLocation } from '../../policy/store/bundle.ts';
import { LockoutRefusedError, runLockoutCheck } from '../../policy/store/lockout-gate.ts';
import { loadPolicySettings, updatePolicySettings } from '../../policy/store/settings.ts';
import { whatIf } from '../../policy/store/whatif.ts';
import { listNamedLocations } from '../../policy/store/policies.ts';
import type { LockoutReport } from '../../policy/lockout.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';

export const summary = 'conditional-access policies: create, list, show, set-state, delete, export, import, whatif, lockout-check, location, settings';

export const USAGE = `tessera policy create <file.json|-> [--confirm-lockout reason] [--json]
       tessera policy list [--json]
       tessera policy show <id|name>
       tessera policy set-state <id|name> enabled|reportOnly|disabled [--confirm-lockout reason]
       tessera policy delete <id|name>
       tessera policy export
       tessera policy import <file.json|-> [--confirm-lockout reason] [--json]
       tessera policy whatif --user <u> [--app id] [--ip a] [--device id] [--client browser|radius|service]
                             [--sign-in-risk r] [--user-risk r] [--country CC] [--methods password,totp] [--at time] [--json]
       tessera policy lockout-check [--json]
       tessera policy location set <name> [--ip 10.0.0.0/8,...] [--country CH,DE] [--trusted]
       tessera policy location list | delete <name>
       tessera policy settings [--exception-max-days n] [--enrolment-app id,...] [--bootstrap tap,...] [--registrable totp,webauthn]
       tessera policy schema`;

function positional(positionals: string[], n: number, what: string): string[] {
  if (positionals.length !== n) throw new CliError(`expected ${what}\nusage: ${USAGE}`, 2);
  return positionals;
}

async function readJson(source: string): Promise<unknown> {
  const text = source === '-' ? await readStdin('the JSON document') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${source === '-' ? 'standard input' : source}: not JSON: ${(err as Error).message}`);
  }
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

export function printLockout(io: Io, report: LockoutReport, stream: 'out' | 'err' = 'out'): void {
  const say = stream === 'out' ? io.out : io.err;
  if (report.findings.length === 0) {
    say(`lockout check: ${report.checkedUsers} people checked, everyone has a way in`);
    return;
  }
  say(`lockout check: ${report.checkedUsers} people checked, ${report.strandedUsers.length} stranded`);
  for (const f of report.findings) {
    say(`  ${f.kind}: ${f.message}`);
    if (f.fix) say(`    fix: ${f.fix}`);
  }
}

/** Runs a change; a lockout refusal prints who is affected before the one-line error. */
async function guarded<T>(io: Io, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LockoutRefusedError) {
      printLockout(io, err.report, 'err');
      throw new CliError(err.needsConfirmation ? `${err.message} (--confirm-lockout "<reason>")` : err.message);
    }
    throw err;
  }
}

async function location(rest: string[], io: Io): Promise<number> {
  const [sub, ...args] = rest;
  const by = { actor: cliActor() };
  if (sub === 'list') {
    const { values } = parse(args, { json: { type: 'boolean' } }, USAGE);
    const locations = await withContext((ctx) => listNamedLocations(ctx.store.db));
    if (values.json) printJson(io, locations);
    else printTable(io, locations.map((l) => ({ name: l.name, trusted: l.trusted, ipRanges: (l.ipRanges ?? []).join(','), countries: (l.countries ?? []).join(',') })), ['name', 'trusted', 'ipRanges', 'countries']);
    return 0;
  }
  if (sub === 'set') {
    const { values, positionals } = parse(args, { ip: { type: 'string' }, country: { type: 'string' }, trusted: { type: 'boolean' }, 'confirm-lockout': { type: 'string' } }, USAGE);
    const [name] = positional(positionals, 1, 'a location name');
    const doc = { name: name!, ipRanges: list(values.ip), countries: list(values.country)?.map((c) => c.toUpperCase()), trusted: values.trusted ?? false };
    const r = await guarded(io, () => withContext((ctx) => saveNamedLocation(ctx.store, doc, by, { confirmLockout: values['confirm-lockout'] })));
    io.out(`saved named location ${r.value.name}`);
    return 0;
  }
  if (sub === 'delete') {
    const { positionals } = parse(args, {}, USAGE);
    const [name] = positional(positionals, 1, 'a location name');
    await withContext((ctx) => deleteNamedLocation(ctx.store, name!, by));
    io.out(`deleted named location ${name}`);
    return 0;
  }
  throw new CliError(`${sub ? `unknown location subcommand '${sub}'` : 'missing location subcommand'}\nusage: ${USAGE}`, 2);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'create':
    case 'import': {
      const { values, positionals } = parse(rest, { 'confirm-lockout': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [source] = positional(positionals, 1, 'a JSON file (or - for standard input)');
      const input = await readJson(source!);
      const confirmLockout = values['confirm-lockout'];
      if (sub === 'create') {
        const r = await guarded(io, () => withContext((ctx) => savePolicy(ctx.store, input as never, by, { confirmLockout })));
        if (values.json) printJson(io, { policy: r.value, lockout: r.lockout });
        else io.out(`saved policy ${r.value.name} (${r.value.id}), ${r.value.state}, version ${r.value.version}`);
        return 0;
      }
      const r = await guarded(io, () => withContext((ctx) => importBundle(ctx.store, input, by, { confirmLockout })));
      if (values.json) printJson(io, { ...r.value, lockout: r.lockout });
      else io.out(`imported: ${r.value.created.length} created, ${r.value.updated.length} updated, ${r.value.unchanged.length} unchanged, ${r.value.locations.length} named locations`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      positional(positionals, 0, 'no arguments');
      const policies = await withContext((ctx) => listPolicies(ctx.store.db));
      if (values.json) printJson(io, policies);
      else printTable(io, policies.map((p) => ({ name: p.name, state: p.state, enforceFrom: p.document.enforceFrom, origin: p.origin, version: p.version, id: p.id })), ['name', 'state', 'enforceFrom', 'origin', 'version', 'id']);
      return 0;
    }
    case 'show': {
      const { positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [ref] = positional(positionals, 1, 'a policy id or name');
      const p = await withContext((ctx) => getPolicy(ctx.store.db, ref!));
      printJson(io, { id: p.id, ...p.document });
      return 0;
    }
    case 'set-state': {
      const { values, positionals } = parse(rest, { 'confirm-lockout': { type: 'string' } }, USAGE);
      const [ref, state] = positional(positionals, 2, 'a policy and a state');
      if (!(POLICY_STATES as readonly string[]).includes(state!)) throw new CliError(`state must be one of ${POLICY_STATES.join(', ')}`, 2);
      const r = await guarded(io, () => withContext((ctx) => setPolicyState(ctx.store, ref!, state as PolicyState, by, { confirmLockout: values['confirm-lockout'] })));
      io.out(`policy ${r.value.name} is now ${r.value.state}`);
      return 0;
    }
    case 'delete': {
      const { positionals } = parse(rest, {}, USAGE);
      const [ref] = positional(positionals, 1, 'a policy id or name');
      const p = await withContext((ctx) => deletePolicy(ctx.store, ref!, by));
      io.out(`deleted policy ${p.name}`);
      return 0;
    }
    case 'export': {
      const { positionals } = parse(rest, {}, USAGE);
      positional(positionals, 0, 'no arguments');
      printJson(io, await withContext((ctx) => exportBundle(ctx.store.db)));
      return 0;
    }
    case 'whatif': {
      const { values, positionals } = parse(rest, {
        user: { type: 'string' }, app: { type: 'string' }, ip: { type: 'string' }, device: { type: 'string' }, client: { type: 'string' },
        'sign-in-risk': { type: 'string' }, 'user-risk': { type: 'string' }, country: { type: 'string' }, methods: { type: 'string' }, at: { type: 'string' },
        json: { type: 'boolean' },
      }, USAGE);
      positional(positionals, 0, 'options only');
      if (!values.user) throw new CliError(`--user is required\nusage: ${USAGE}`, 2);
      const r = await withContext((ctx) => whatIf(ctx.store.db, {
        user: values.user!, app: values.app, ip: values.ip, device: values.device, clientType: values.client as never,
        signInRisk: values['sign-in-risk'] as never, userRisk: values['user-risk'] as never, country: values.country?.toUpperCase(),
        methodsUsed: list(values.methods), at: values.at,
      }));
      if (values.json) {
        printJson(io, r);
        return 0;
      }
      const d = r.decision;
      io.out(`decision: ${d.outcome}${d.blockedBy ? ` (blocked by "${d.blockedBy.name}"${d.blockReason === 'compliant_device' ? ': needs a compliant device' : ''})` : ''}` +
        `${d.missingStrengths.length ? `; still needs ${d.missingStrengths.join(', ')}` : ''}` +
        `${d.session.signInFrequencyHours ? `; sign in again every ${d.session.signInFrequencyHours} h` : ''}${d.session.persistent ? '' : '; no persistent session'}`);
      printTable(io, d.policies.map((p) => ({ policy: p.name, mode: p.mode, applies: p.applies ? 'yes' : 'no', reason: p.reason, effect: p.effect, detail: p.detail })), ['policy', 'mode', 'applies', 'reason', 'effect', 'detail']);
      return 0;
    }
    case 'lockout-check': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const report = await withContext((ctx) => ctx.store.serialized('tessera.policy.lockout-check', async (trx) => runLockoutCheck(trx, await loadPolicySet(trx))));
      if (values.json) printJson(io, report);
      else printLockout(io, report);
      return report.strandedUsers.length ? 1 : 0;
    }
    case 'location':
      return location(rest, io);
    case 'settings': {
      const { values } = parse(rest, {
        'exception-max-days': { type: 'string' }, 'enrolment-app': { type: 'string' }, bootstrap: { type: 'string' }, registrable: { type: 'string' }, json: { type: 'boolean' },
      }, USAGE);
      const patch = {
        exceptionMaxDays: values['exception-max-days'] !== undefined ? Number(values['exception-max-days']) : undefined,
        enrolmentApps: list(values['enrolment-app']),
        bootstrapMethods: list(values.bootstrap),
        registrableMethods: list(values.registrable),
      };
      const changed = Object.values(patch).some((v) => v !== undefined);
      const settings = await withContext((ctx) => (changed ? updatePolicySettings(ctx.store, patch, by) : loadPolicySettings(ctx.store.db)));
      printJson(io, settings);
      return 0;
    }
    case 'schema':
      printJson(io, policyJsonSchema());
      return 0;
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
