import { readFileSync } from 'node:fs';
import {
  addServiceProvider, getServiceProvider, listServiceProviders, NAMEID_FORMATS, removeServiceProvider, type ServiceProvider,
} from '../../protocols/saml/service-providers.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'SAML service providers: register from metadata, list, show, remove';

export const USAGE = `tessera saml sp add <name> --metadata-file <file> [--nameid-format ${NAMEID_FORMATS.join('|')}] [--json]
       tessera saml sp list [--json]
       tessera saml sp show <name> [--json]
       tessera saml sp remove <name>`;

function describe(io: Io, sp: ServiceProvider): void {
  io.out(`service provider ${sp.name}`);
  io.out(`  entity id:        ${sp.entityId}`);
  io.out(`  NameID format:    ${sp.nameIdFormat}`);
  io.out(`  ACS URLs:         ${sp.acs.map((a) => a.location).join(' ')}`);
  io.out(`  signs requests:   ${sp.signsRequests ? 'yes (verified)' : 'no'}`);
  io.out(`  created:          ${sp.createdAt} by ${sp.createdBy}`);
}

function readMetadataFile(path: string | undefined): string {
  if (!path) throw new CliError(`give --metadata-file <file>\nusage: ${USAGE}`, 2);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`--metadata-file: cannot read ${path}: ${(err as Error).message}`, 2);
  }
}

function oneName(positionals: string[]): string {
  if (positionals.length !== 1) throw new CliError(`expected one service provider name\nusage: ${USAGE}`, 2);
  return positionals[0]!;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (group !== 'sp') throw new CliError(`usage: ${USAGE}`, 2);
  const by = { actor: cliActor() };
  switch (sub) {
    case 'add': {
      const { values, positionals } = parse(rest, { 'metadata-file': { type: 'string' }, 'nameid-format': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const name = oneName(positionals);
      const format = values['nameid-format'] ?? 'email';
      if (!(NAMEID_FORMATS as readonly string[]).includes(format)) throw new CliError(`--nameid-format must be one of ${NAMEID_FORMATS.join(', ')}`, 2);
      const metadata = readMetadataFile(values['metadata-file']);
      const sp = await withContext((ctx) => addServiceProvider(ctx.store, { name, metadata, nameIdFormat: format as (typeof NAMEID_FORMATS)[number] }, by));
      if (values.json) printJson(io, sp);
      else describe(io, sp);
      return 0;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const sps = await withContext((ctx) => listServiceProviders(ctx.store.db));
      if (values.json) printJson(io, sps);
      else printTable(io, sps.map((s) => ({ name: s.name, entityId: s.entityId, nameIdFormat: s.nameIdFormat })), ['name', 'entityId', 'nameIdFormat']);
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const sp = await withContext((ctx) => getServiceProvider(ctx.store.db, oneName(positionals)));
      if (values.json) printJson(io, sp);
      else describe(io, sp);
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, USAGE);
      const sp = await withContext((ctx) => removeServiceProvider(ctx.store, oneName(positionals), by));
      io.out(`removed service provider ${sp.name}`);
      return 0;
    }
    default:
      throw new CliError(`usage: ${USAGE}`, 2);
  }
}
