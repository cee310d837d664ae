import { acknowledgeAlert, ALERT_SEVERITIES, listAlerts, type AlertSeverity } from '../../monitor/alerts.ts';
import { resolveUser } from '../../directory/users.ts';
import { CliError, cliActor, parse, subcommand, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'security alerts: list (unacknowledged by default), ack';

export const USAGE = `tessera alerts [list] [--all] [--severity ${ALERT_SEVERITIES.join('|')}] [--kind k] [--user <username>] [--limit n] [--json]
       tessera alerts ack <alert-id> [--note text]`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, rest] = subcommand(argv, 'list');
  switch (sub) {
    case 'list': {
      const { values, positionals } = parse(rest, {
        all: { type: 'boolean' }, severity: { type: 'string' }, kind: { type: 'string' }, user: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
      }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      if (values.severity && !(ALERT_SEVERITIES as readonly string[]).includes(values.severity)) throw new CliError(`--severity must be one of ${ALERT_SEVERITIES.join(', ')}`, 2);
      if (values.limit !== undefined && !/^\d{1,4}$/.test(values.limit)) throw new CliError('--limit must be a number', 2);
      const alerts = await withContext(async (ctx) => listAlerts(ctx.store.db, {
        includeAcknowledged: values.all ?? false,
        severity: values.severity as AlertSeverity | undefined,
        kind: values.kind,
        userId: values.user ? (await resolveUser(ctx.store.db, values.user)).id : undefined,
        limit: values.limit ? Number(values.limit) : 100,
      }));
      if (values.json) printJson(io, alerts);
      else printTable(io, alerts.map((a) => ({ ...a, acknowledged: a.acknowledgedAt ? `by ${a.acknowledgedBy}` : 'no' })), ['createdAt', 'severity', 'kind', 'username', 'acknowledged', 'id']);
      return 0;
    }
    case 'ack': {
      const { values, positionals } = parse(rest, { note: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected one alert id\nusage: ${USAGE}`, 2);
      const alert = await withContext((ctx) => acknowledgeAlert(ctx.store, positionals[0]!, { actor: cliActor() }, values.note));
      if (values.json) printJson(io, alert);
      else io.out(`acknowledged ${alert.kind} alert ${alert.id}`);
      return 0;
    }
    default:
      throw new CliError(`unknown subcommand '${sub}'\nusage: ${USAGE}`, 2);
  }
}
