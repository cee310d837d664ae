import { listDeliveries } from '../../monitor/outbox/list.ts';
import { retryDelivery } from '../../monitor/outbox/retry.ts';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES, type OutboxChannel, type OutboxStatus } from '../../monitor/outbox/tables.ts';
import { CliError, cliActor, parse, subcommand, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'outgoing deliveries (alert e-mail, webhook, syslog, checkpoints, notices): pending, sent, failed with the reason; retry a failed one';

export const USAGE = `tessera deliveries [list] [--status ${OUTBOX_STATUSES.join('|')}] [--channel ${OUTBOX_CHANNELS.join('|')}] [-n 50] [--json]
       tessera deliveries retry <delivery-id> [--json]`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, rest] = subcommand(argv, 'list');
  switch (sub) {
    case 'list':
      return list(rest, io);
    case 'retry': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected one delivery id\nusage: ${USAGE}`, 2);
      const delivery = await withContext((ctx) => retryDelivery(ctx.store, positionals[0]!, { actor: cliActor() }));
      if (values.json) printJson(io, delivery);
      else io.out(`the ${delivery.channel} delivery ${delivery.id} will be sent again (a running server picks it up within seconds)`);
      return 0;
    }
    default:
      throw new CliError(`unknown subcommand '${sub}'\nusage: ${USAGE}`, 2);
  }
}

async function list(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { status: { type: 'string' }, channel: { type: 'string' }, n: { type: 'string', short: 'n' }, json: { type: 'boolean' } }, USAGE);
  if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
  if (values.status && !(OUTBOX_STATUSES as readonly string[]).includes(values.status)) throw new CliError(`--status must be one of ${OUTBOX_STATUSES.join(', ')}`, 2);
  if (values.channel && !(OUTBOX_CHANNELS as readonly string[]).includes(values.channel)) throw new CliError(`--channel must be one of ${OUTBOX_CHANNELS.join(', ')}`, 2);
  const limit = values.n === undefined ? 50 : Number(values.n);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('-n must be a whole number from 1 to 1000', 2);
  const filter = { status: values.status as OutboxStatus | undefined, channel: values.channel as OutboxChannel | undefined, limit };
  const items = await withContext((ctx) => listDeliveries(ctx.store.db, filter));
  if (values.json) printJson(io, items);
  else printTable(io, items.map((d) => ({ ...d, lastError: d.lastError ?? '' })), ['createdAt', 'channel', 'status', 'attempts', 'dueAt', 'lastError', 'id']);
  return 0;
}
