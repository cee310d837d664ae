import { listSigningKeys, retireSigningKey, rotateSigningKeys, SIGNING_ALGS } from '../../protocols/oidc/signing-keys.ts';
import type { SigningAlg } from '../../protocols/oidc/tables.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'OIDC token signing keys: list, rotate, retire (tessera keys saml … for the SAML signing key)';

export const USAGE = `tessera keys list [--all] [--json]
       tessera keys rotate [--alg RS256|ES256] [--json]
       tessera keys retire <kid>
       tessera keys saml list|rotate|retire …   (the same as tessera saml keys …)`;

const PICKUP = 'Running servers pick up the change within 30 seconds (or at restart).';

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'saml':
      return (await import('./saml.ts')).run(['keys', ...rest], io);
    case 'list': {
      const { values, positionals } = parse(rest, { all: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const keys = (await withContext((ctx) => listSigningKeys(ctx.store.db))).filter((k) => values.all || k.status !== 'retired');
      if (values.json) printJson(io, keys);
      else printTable(io, keys as unknown as Record<string, unknown>[], ['kid', 'alg', 'status', 'createdAt', 'retiringAt', 'retiredAt']);
      return 0;
    }
    case 'rotate': {
      const { values, positionals } = parse(rest, { alg: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      if (values.alg && !(SIGNING_ALGS as readonly string[]).includes(values.alg)) {
        throw new CliError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`, 2);
      }
      const algs = values.alg ? [values.alg as SigningAlg] : SIGNING_ALGS;
      const result = await withContext((ctx) => rotateSigningKeys(ctx.store, ctx.secrets, by, algs));
      if (values.json) {
        printJson(io, result);
        return 0;
      }
      for (const k of result.created) io.out(`new active ${k.alg} key ${k.kid}`);
      for (const k of result.retiring) io.out(`${k.alg} key ${k.kid} is now retiring: still published, no longer signs`);
      io.out(PICKUP);
      io.out('Retire the old keys (tessera keys retire <kid>) once tokens they signed have expired (ID tokens live 1 hour).');
      return 0;
    }
    case 'retire': {
      // A key id is a JWK thumbprint (base64url), which may begin with "-": it is taken as it is, never as an option.
      const positionals = rest[0] === '--' ? rest.slice(1) : rest;
      if (positionals.length !== 1 || !/^[A-Za-z0-9_-]{1,128}$/.test(positionals[0]!)) throw new CliError(`expected one key id\nusage: ${USAGE}`, 2);
      const key = await withContext((ctx) => retireSigningKey(ctx.store, positionals[0]!, by));
      io.out(`retired ${key.alg} key ${key.kid}: no longer published. ${PICKUP}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
