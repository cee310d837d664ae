import { readFileSync } from 'node:fs';
import {
  addServiceProvider, getServiceProvider, listServiceProviders, NAMEID_FORMATS, removeServiceProvider, type ServiceProvider,
} from '../../protocols/saml/service-providers.ts';
import { listSamlKeys, retireSamlKey, rotateSamlKey } from '../../protocols/saml/key-rotation.ts';
import { fetchMetadata } from '../../protocols/saml/metadata-url.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';
import { readCategoryFlag } from '../../monitor/posture/categories.ts';
import { ATTRIBUTE_SOURCES, parseAttributeOption } from '../../protocols/saml/attributes.ts';

export const summary = 'SAML: service providers (register from metadata, list, show, remove) and the signing key (list, rotate, retire)';

export const USAGE = `tessera saml sp add <name> (--metadata-file <file> | --metadata-url <url>) [--nameid-format ${NAMEID_FORMATS.join('|')}]
                    [--attribute <${ATTRIBUTE_SOURCES.join('|')}>=<name>]… [--category mail|cloud|vpn|critical|other] [--json]
       tessera saml sp list [--json]
       tessera saml sp show <name> [--json]
       tessera saml sp remove <name>
       tessera saml keys list [--json]
       tessera saml keys rotate [--json]     (first a next key, published; run again to sign with it)
       tessera saml keys retire <id>`;

function describe(io: Io, sp: ServiceProvider): void {
  io.out(`service provider ${sp.name}`);
  io.out(`  entity id:        ${sp.entityId}`);
  io.out(`  NameID format:    ${sp.nameIdFormat}`);
  io.out(`  category:         ${sp.category}`);
  io.out(`  attributes:       ${Object.entries(sp.attributes).map(([source, name]) => `${name} (${source})`).join(', ') || 'none'}`);
  io.out(`  ACS URLs:         ${sp.acs.map((a) => a.location).join(' ')}`);
  io.out(`  signs requests:   ${sp.signsRequests ? 'yes (verified)' : 'no'}`);
  io.out(`  assertions:       ${sp.encryptsAssertions ? 'encrypted to its certificate (AES-256-GCM)' : 'signed, not encrypted (its metadata has no encryption certificate)'}`);
  io.out(`  created:          ${sp.createdAt} by ${sp.createdBy}`);
}

function readMetadataFile(path: string): string {
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
  if (group === 'keys') return keys(sub, rest, io);
  if (group !== 'sp') throw new CliError(`usage: ${USAGE}`, 2);
  const by = { actor: cliActor() };
  switch (sub) {
    case 'add': {
      const { values, positionals } = parse(rest, {
        'metadata-file': { type: 'string' }, 'metadata-url': { type: 'string' }, 'nameid-format': { type: 'string' }, attribute: { type: 'string', multiple: true }, category: { type: 'string' }, json: { type: 'boolean' },
      }, USAGE);
      const { category, error } = readCategoryFlag(values.category);
      if (error) throw new CliError(error, 2);
      const name = oneName(positionals);
      const format = values['nameid-format'] ?? 'email';
      if (!(NAMEID_FORMATS as readonly string[]).includes(format)) throw new CliError(`--nameid-format must be one of ${NAMEID_FORMATS.join(', ')}`, 2);
      const file = values['metadata-file'];
      const url = values['metadata-url'];
      if (Boolean(file) === Boolean(url)) throw new CliError(`give one of --metadata-file <file> or --metadata-url <url>\nusage: ${USAGE}`, 2);
      const metadata = file ? readMetadataFile(file) : await fetchMetadata(url!);
      let attributes;
      try {
        attributes = values.attribute?.length ? parseAttributeOption(values.attribute) : undefined;
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      const sp = await withContext((ctx) => addServiceProvider(ctx.store, { name, metadata, nameIdFormat: format as (typeof NAMEID_FORMATS)[number], attributes, category }, by));
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

/** The signing key: its state, the two-step rotation, retiring the old one. */
async function keys(sub: string | undefined, rest: string[], io: Io): Promise<number> {
  const by = { actor: cliActor() };
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const list = await withContext((ctx) => listSamlKeys(ctx.store.db));
      if (values.json) printJson(io, list);
      else printTable(io, list as unknown as Record<string, unknown>[], ['id', 'status', 'createdAt', 'fingerprint']);
      return 0;
    }
    case 'rotate': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const step = await withContext((ctx) => rotateSamlKey(ctx.store, ctx.secrets, ctx.config.issuer, by));
      if (values.json) printJson(io, step);
      else if (step.step === 'prepared') {
        io.out(`new SAML signing key ${step.next.id} (SHA-256 ${step.next.fingerprint}) is published in the metadata and signs nothing yet.`);
        io.out('Once every service provider has read the metadata again (or has the new certificate), run tessera saml keys rotate again to sign with it.');
      } else {
        io.out(`SAML signing key ${step.active.id} now signs every response.`);
        for (const k of step.retiring) io.out(`key ${k.id} is retiring: still published, no longer signs; remove it with tessera saml keys retire ${k.id}`);
      }
      return 0;
    }
    case 'retire': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a key id\nusage: ${USAGE}`, 2);
      const key = await withContext((ctx) => retireSamlKey(ctx.store, positionals[0]!, by));
      io.out(`removed SAML signing key ${key.id} (was ${key.status}): no longer published`);
      return 0;
    }
    default:
      throw new CliError(`usage: ${USAGE}`, 2);
  }
}
