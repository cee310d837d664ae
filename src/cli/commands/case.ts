import {
  cancelCase, CASE_STEPS, DELIVERY_CHANNELS, getCase, IDENTITY_METHODS, listCases, openCase, recordStep, SCENARIOS,
  type RecoveryCase, type StepInput,
} from '../../recovery/cases/index.ts';
import { cliOperator } from '../../recovery/operator.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';
import { grouped, parseLifetime } from './tap.ts';

export const summary = 'helpdesk recovery cases: open, step, show, list, cancel';

export const USAGE = `tessera case open <username> --scenario ${SCENARIOS.join('|')} [--as <username>] [--notes text] [--json]
       tessera case step <case-id> <step> [options] [--json]
           verify_identity        --method ${IDENTITY_METHODS.join('|')} [--as <username>] [--notes text]
           issue_tap              [--lifetime 1h] [--start ISO-time] [--multi-use] [--length n] [--approver <username>] [--as <username>]
           approve_tap            --as <second privileged person>   (privileged accounts; tap approve does it too)
           deliver_tap            --channel ${DELIVERY_CHANNELS.join('|')}
           new_method_registered  [--device <new-device-id>]
           old_device_removed     [--device <old-device-id>] [--credential type:id ...]
           signin_confirmed
           close                  [--notes text]
           any step but verify_identity, approve_tap and close: --skip --reason "why"
       tessera case show <case-id> [--json]
       tessera case list [--status open|closed|cancelled] [--user <username>] [--json]
       tessera case cancel <case-id> --reason "why"`;

function show(io: Io, c: RecoveryCase): void {
  io.out(`case ${c.id}: ${c.title} for ${c.username} — ${c.status}`);
  io.out(`opened ${c.openedAt} by ${c.openedBy}`);
  for (const s of c.steps) {
    const who = s.operator ? ` by ${s.operator}` : '';
    const what = s.outcome === 'done' ? summarise(s.details) : `(${s.reason ?? ''})`;
    io.out(`  ${String(s.seq).padStart(2)}. ${s.step.padEnd(22)} ${s.outcome.padEnd(8)} ${s.at}${who} ${what}`.trimEnd());
  }
  if (c.nextStep) io.out(`next: ${c.nextStep} (then ${c.remaining.slice(1).join(', ') || 'nothing'})`);
  if (c.recoveredAt) io.out(`recovered ${c.recoveredAt}`);
  if (c.timeToRecoverSeconds !== null) io.out(`time to recover ${Math.round(c.timeToRecoverSeconds / 60)} min`);
  if (c.cancelReason) io.out(`cancelled: ${c.cancelReason}`);
}

function summarise(d: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['method', 'channel', 'tapId', 'deviceAction', 'timeToRecoverSeconds']) if (d[key] !== undefined && d[key] !== null) parts.push(`${key}=${String(d[key])}`);
  if (Array.isArray(d.methods)) parts.push(`methods=${(d.methods as Array<{ type: string }>).map((m) => m.type).join(',')}`);
  if (Array.isArray(d.removedMethods)) parts.push(`removed=${(d.removedMethods as Array<{ type: string }>).map((m) => m.type).join(',') || 'none'}`);
  return parts.join(' ');
}

function credentials(values: string[] | undefined): StepInput['credentials'] {
  if (!values?.length) return undefined;
  return values.map((v) => {
    const i = v.indexOf(':');
    if (i < 1 || i === v.length - 1) throw new CliError(`--credential must be type:id, e.g. totp:1b2c…`, 2);
    return { type: v.slice(0, i), id: v.slice(i + 1) };
  });
}

function one(positionals: string[], what: string, count = 1): string[] {
  if (positionals.length !== count) throw new CliError(`expected ${what}\nusage: ${USAGE}`, 2);
  return positionals;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  const osUser = by.actor.slice('cli:'.length);
  switch (sub) {
    case 'open': {
      const { values, positionals } = parse(rest, { scenario: { type: 'string' }, as: { type: 'string' }, notes: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [username] = one(positionals, 'a username');
      if (!values.scenario || !(SCENARIOS as readonly string[]).includes(values.scenario)) throw new CliError(`--scenario must be one of ${SCENARIOS.join(', ')}`, 2);
      const c = await withContext((ctx) => openCase(ctx, { user: username!, scenario: values.scenario as (typeof SCENARIOS)[number], operator: values.as, notes: values.notes }, by));
      if (values.json) printJson(io, c);
      else io.out(`opened case ${c.id} (${c.title}) for ${c.username}; next: ${c.nextStep}`);
      return 0;
    }
    case 'step': {
      const { values, positionals } = parse(rest, {
        as: { type: 'string' }, method: { type: 'string' }, channel: { type: 'string' }, notes: { type: 'string' },
        lifetime: { type: 'string' }, start: { type: 'string' }, 'multi-use': { type: 'boolean' }, length: { type: 'string' }, approver: { type: 'string' },
        device: { type: 'string' }, credential: { type: 'string', multiple: true }, skip: { type: 'boolean' }, reason: { type: 'string' }, json: { type: 'boolean' },
      }, USAGE);
      const [caseId, step] = one(positionals, 'a case id and a step', 2);
      if (!(CASE_STEPS as readonly string[]).includes(step!)) throw new CliError(`unknown step ${step}: steps are ${CASE_STEPS.join(', ')}`, 2);
      if (values.start !== undefined && Number.isNaN(Date.parse(values.start))) throw new CliError('--start must be an ISO-8601 time', 2);
      if (values.length !== undefined && !/^\d{1,3}$/.test(values.length)) throw new CliError('--length must be a number', 2);
      const out = await withContext(async (ctx) => {
        const needsPerson = !values.skip && (step === 'verify_identity' || step === 'issue_tap' || step === 'approve_tap');
        const input: StepInput = {
          operator: needsPerson ? await cliOperator(ctx.store.db, values.as, osUser) : values.as,
          method: values.method,
          channel: values.channel,
          notes: values.notes,
          lifetimeMinutes: parseLifetime(values.lifetime, '--lifetime'),
          startsAt: values.start === undefined ? undefined : new Date(values.start).toISOString(),
          multiUse: values['multi-use'],
          length: values.length === undefined ? undefined : Number(values.length),
          approver: values.approver,
          deviceId: values.device,
          credentials: credentials(values.credential),
          skip: values.skip,
          reason: values.reason,
        };
        return recordStep(ctx, caseId!, step!, input, by);
      });
      if (values.json) {
        printJson(io, { case: out.case, ...(out.output ?? {}) });
        return 0;
      }
      const pass = out.output?.pass;
      if (typeof pass === 'string') {
        io.out('Temporary Access Pass (shown once; deliver by phone call, in person or encrypted message, never by email):');
        io.out('');
        io.out(`    ${grouped(pass)}`);
        io.out('');
      }
      show(io, out.case);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [caseId] = one(positionals, 'a case id');
      const c = await withContext((ctx) => getCase(ctx.store.db, caseId!));
      if (values.json) printJson(io, c);
      else show(io, c);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { status: { type: 'string' }, user: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      if (values.status && !['open', 'closed', 'cancelled'].includes(values.status)) throw new CliError('--status must be one of open, closed, cancelled', 2);
      const cases = await withContext((ctx) => listCases(ctx.store.db, { status: values.status as 'open' | undefined, user: values.user, limit: 500 }));
      if (values.json) printJson(io, cases);
      else printTable(io, cases.map((c) => ({ ...c, ttr: c.timeToRecoverSeconds === null ? null : `${Math.round(c.timeToRecoverSeconds / 60)} min` })), ['id', 'username', 'scenario', 'status', 'nextStep', 'openedAt', 'ttr']);
      return 0;
    }
    case 'cancel': {
      const { values, positionals } = parse(rest, { reason: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [caseId] = one(positionals, 'a case id');
      if (!values.reason) throw new CliError('cancelling a case needs --reason', 2);
      const c = await withContext((ctx) => cancelCase(ctx, caseId!, values.reason!, by));
      if (values.json) printJson(io, c);
      else io.out(`cancelled case ${c.id}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
