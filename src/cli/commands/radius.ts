import { addRadiusClient, listRadiusClients, removeRadiusClient } from '../../protocols/radius/clients.ts';
import { CliError, cliActor, parse, printJson, printTable, readStdin, withContext, type Io } from '../support.ts';
import { readCategoryFlag } from '../../monitor/posture/categories.ts';

export const summary = 'RADIUS clients (VPN, firewalls, Wi-Fi): add (secret from stdin), list, remove';

export const USAGE = `tessera radius client add <name> --address <ip-or-cidr> --secret-stdin [--mode challenge|append] [--category vpn|…] [--json]
       tessera radius client list [--json]
       tessera radius client remove <name>`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (group !== 'client') throw new CliError(`${group ? `unknown subcommand '${group}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  const by = { actor: cliActor() };
  switch (sub) {
    case 'add': {
      const { values, positionals } = parse(
        rest,
        { address: { type: 'string' }, 'secret-stdin': { type: 'boolean' }, mode: { type: 'string' }, category: { type: 'string' }, json: { type: 'boolean' } },
        USAGE,
      );
      if (positionals.length !== 1 || !values.address) throw new CliError(`expected a name and --address\nusage: ${USAGE}`, 2);
      if (!values['secret-stdin']) throw new CliError('the shared secret is read from standard input only: give --secret-stdin', 2);
      if (values.mode && values.mode !== 'challenge' && values.mode !== 'append') throw new CliError('--mode must be challenge or append', 2);
      const { category, error } = readCategoryFlag(values.category);
      if (error) throw new CliError(error, 2);
      const secret = await readStdin('the shared secret');
      const mode = values.mode as 'challenge' | 'append' | undefined;
      const client = await withContext((ctx) => addRadiusClient(ctx.store, ctx.secrets, { name: positionals[0]!, address: values.address!, secret, mode, category }, by));
      if (values.json) printJson(io, client);
      else io.out(`added RADIUS client ${client.name} (${client.address}, ${client.mode} mode); in policies it is the app radius:${client.name}`);
      return 0;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const clients = await withContext((ctx) => listRadiusClients(ctx.store.db));
      if (values.json) printJson(io, clients);
      else printTable(io, clients.map((c) => ({ ...c })), ['name', 'address', 'mode', 'category', 'createdAt', 'createdBy']);
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a name\nusage: ${USAGE}`, 2);
      const client = await withContext((ctx) => removeRadiusClient(ctx.store, positionals[0]!, by));
      io.out(`removed RADIUS client ${client.name}; its packets are dropped from now on`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
