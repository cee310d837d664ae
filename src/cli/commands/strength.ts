import { StrengthError, STRENGTH_ATOMS } from '../../policy/strengths.ts';
import {
  createStrength, deleteStrength, findStrength, listStrengths, StrengthNotFoundError, updateStrength, viewOf, type StrengthView,
} from '../../policy/store/strength-catalog.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'authentication strengths: list the built-ins and custom ones; create, change, delete custom strengths';

export const USAGE = `tessera strength list [--json]
       tessera strength show <name> [--json]
       tessera strength create <name> --combination <a+b>... [--aaguid <aaguid>]... [--description text] [--json]
       tessera strength update <name> [--combination <a+b>]... [--aaguid <aaguid>]... [--any-authenticator] [--description text] [--json]
       tessera strength delete <name>
methods in a combination: ${STRENGTH_ATOMS.join(', ')}`;

function one(positionals: string[]): string {
  if (positionals.length !== 1) throw new CliError(`expected one strength name\nusage: ${USAGE}`, 2);
  return positionals[0]!;
}

/** Strength input errors are the operator's: one line, exit 2; unknown names exit 1. */
async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StrengthNotFoundError) throw new CliError(err.message, 1);
    if (err instanceof StrengthError) throw new CliError(err.message, err.name === 'StrengthConflictError' ? 1 : 2);
    throw err;
  }
}

function printOne(io: Io, s: StrengthView): void {
  io.out(`${s.name}${s.builtin ? ' (built in)' : ''}: ${s.displayName === s.name ? '' : `${s.displayName}. `}${s.description}`);
  io.out(`  acr: ${s.acr}`);
  for (const c of s.combinations) io.out(`  allows: ${c}`);
  if (s.allowedAaguids.length) io.out(`  only authenticators: ${s.allowedAaguids.join(', ')}`);
  for (const w of s.warnings) io.out(`  warning: ${w}`);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const all = (await withContext((ctx) => listStrengths(ctx.store.db))).map(viewOf);
      if (values.json) printJson(io, all);
      else printTable(io, all.map((s) => ({ ...s, kind: s.builtin ? 'built-in' : 'custom', combinations: s.combinations.join(' | ') })), ['name', 'kind', 'acr', 'combinations']);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const name = one(positionals);
      const s = await withContext((ctx) => findStrength(ctx.store.db, name));
      if (!s) throw new CliError(`no strength named ${name}`);
      if (values.json) printJson(io, viewOf(s));
      else printOne(io, viewOf(s));
      return 0;
    }
    case 'create':
    case 'update': {
      const { values, positionals } = parse(
        rest,
        {
          combination: { type: 'string', multiple: true },
          aaguid: { type: 'string', multiple: true },
          'any-authenticator': { type: 'boolean' },
          description: { type: 'string' },
          json: { type: 'boolean' },
        },
        USAGE,
      );
      const name = one(positionals);
      const view = await withContext((ctx) =>
        asCli(() =>
          sub === 'create'
            ? createStrength(ctx.store, { name, description: values.description, combinations: values.combination ?? [], allowedAaguids: values.aaguid }, by)
            : updateStrength(ctx.store, name, {
                description: values.description,
                combinations: values.combination,
                allowedAaguids: values['any-authenticator'] ? [] : values.aaguid,
              }, by),
        ),
      );
      if (values.json) printJson(io, view);
      else {
        io.out(`${sub === 'create' ? 'created' : 'updated'} strength ${view.name} (${view.acr})`);
        for (const w of view.warnings) io.err(`warning: ${w}`);
      }
      return 0;
    }
    case 'delete': {
      const { positionals } = parse(rest, {}, USAGE);
      const name = one(positionals);
      await withContext((ctx) => asCli(() => deleteStrength(ctx.store, name, by)));
      io.out(`deleted strength ${name}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
