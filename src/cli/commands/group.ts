import { addGroupMember, createGroup, deleteGroup, getGroup, listGroups, removeGroupMember } from '../../directory/groups.ts';
import { describeOrigin, originOfGroup, originsOfGroups, refuseIfGroupOwned } from '../../directory/provenance.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'manage groups: create, list, show, delete, add and remove members';

export const USAGE = `tessera group create <name> [--description d] [--json]
       tessera group list [--json]
       tessera group show <name> [--json]
       tessera group delete <name>
       tessera group add <group> <username>
       tessera group remove <group> <username>`;

function args(positionals: string[], n: number, what: string): string[] {
  if (positionals.length !== n) throw new CliError(`expected ${what}\nusage: ${USAGE}`, 2);
  return positionals;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(rest, { description: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [name] = args(positionals, 1, 'a group name');
      const group = await withContext((ctx) => createGroup(ctx.store, { name: name!, description: values.description }, by));
      if (values.json) printJson(io, group);
      else io.out(`created group ${group.name} (${group.id})`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      args(positionals, 0, 'no arguments');
      const groups = await withContext(async (ctx) => {
        const origins = await originsOfGroups(ctx.store.db);
        return (await listGroups(ctx.store.db)).map((g) => ({ ...g, origin: origins.get(g.id) ?? { kind: 'local' as const } }));
      });
      if (values.json) printJson(io, groups);
      else printTable(io, groups.map((g) => ({ ...g, source: describeOrigin(g.origin) })), ['name', 'memberCount', 'source', 'description', 'id']);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [name] = args(positionals, 1, 'a group name');
      const group = await withContext(async (ctx) => {
        const g = await getGroup(ctx.store.db, name!);
        return { ...g, origin: await originOfGroup(ctx.store.db, g.id) };
      });
      if (values.json) {
        printJson(io, group);
        return 0;
      }
      io.out(`${group.name} (${group.id})${group.description ? `: ${group.description}` : ''}; source: ${describeOrigin(group.origin)}`);
      printTable(io, group.members as unknown as Record<string, unknown>[], ['username', 'status', 'email']);
      return 0;
    }
    case 'delete': {
      const { positionals } = parse(rest, {}, USAGE);
      const [name] = args(positionals, 1, 'a group name');
      const group = await withContext(async (ctx) => {
        await refuseIfGroupOwned(ctx.store.db, name!, 'group');
        return deleteGroup(ctx.store, name!, by);
      });
      io.out(`deleted group ${group.name}`);
      return 0;
    }
    case 'add':
    case 'remove': {
      const { positionals } = parse(rest, {}, USAGE);
      const [group, user] = args(positionals, 2, 'a group and a username');
      await withContext(async (ctx) => {
        await refuseIfGroupOwned(ctx.store.db, group!, 'members');
        await (sub === 'add' ? addGroupMember : removeGroupMember)(ctx.store, group!, user!, by);
      });
      io.out(sub === 'add' ? `added ${user} to ${group}` : `removed ${user} from ${group}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
