import { readFileSync } from 'node:fs';
import { createClient, deleteClient, findClient, listClients, type ClientGrant, type OidcClient } from '../../protocols/oidc/clients.ts';
import { validateClientMetadata } from '../../protocols/oidc/client-validation.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';
import { readCategoryFlag } from '../../monitor/posture/categories.ts';

export const summary = 'OpenID Connect apps: create (secret shown once), list, show, delete';

export const USAGE = `tessera client create <id> [--redirect-uri <uri>]... [--post-logout-redirect-uri <uri>]...
           [--public] [--grant authorization_code|refresh_token|client_credentials]...
           [--auth-method client_secret_basic|client_secret_post|private_key_jwt]
           [--jwks-file <file> | --jwks-uri <https url>] [--name <name>] [--category mail|cloud|vpn|critical|other] [--json]
       tessera client list [--json]
       tessera client show <id> [--json]
       tessera client delete <id>`;

const GRANTS: readonly ClientGrant[] = ['authorization_code', 'refresh_token', 'client_credentials'];

function describe(io: Io, c: OidcClient): void {
  io.out(`client ${c.clientId}${c.name ? ` (${c.name})` : ''}`);
  io.out(`  type:             ${c.public ? 'public (PKCE, no secret)' : 'confidential'}`);
  io.out(`  authentication:   ${c.tokenEndpointAuthMethod}`);
  io.out(`  grants:           ${c.grantTypes.join(', ')}`);
  io.out(`  category:         ${c.category}`);
  io.out(`  redirect URIs:    ${c.redirectUris.join(' ') || '-'}`);
  io.out(`  logout redirects: ${c.postLogoutRedirectUris.join(' ') || '-'}`);
  if (c.jwksUri) io.out(`  jwks_uri:         ${c.jwksUri}`);
  if (c.jwksKeyIds.length) io.out(`  public keys:      ${c.jwksKeyIds.join(', ')}`);
  io.out(`  created:          ${c.createdAt} by ${c.createdBy}`);
}

function readJwks(path: string): { keys: Record<string, unknown>[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`--jwks-file: cannot read ${path}: ${(err as Error).message}`, 2);
  }
  try {
    return JSON.parse(text) as { keys: Record<string, unknown>[] };
  } catch {
    throw new CliError(`--jwks-file: ${path} is not JSON (expected {"keys": [...]})`, 2);
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'create': {
      const { values, positionals } = parse(
        rest,
        {
          'redirect-uri': { type: 'string', multiple: true },
          'post-logout-redirect-uri': { type: 'string', multiple: true },
          public: { type: 'boolean' },
          grant: { type: 'string', multiple: true },
          'auth-method': { type: 'string' },
          'jwks-file': { type: 'string' },
          'jwks-uri': { type: 'string' },
          name: { type: 'string' },
          category: { type: 'string' },
          json: { type: 'boolean' },
        },
        USAGE,
      );
      if (positionals.length !== 1) throw new CliError(`expected one client id\nusage: ${USAGE}`, 2);
      const redirectUris = values['redirect-uri'] ?? [];
      const extra = values.grant ?? [];
      for (const g of extra) {
        if (!(GRANTS as readonly string[]).includes(g)) throw new CliError(`--grant must be one of ${GRANTS.join(', ')}`, 2);
      }
      // --grant adds to what the redirect URIs imply (code + refresh), so a service
      // account is just `--grant client_credentials`.
      const grants = new Set<ClientGrant>(redirectUris.length ? ['authorization_code', 'refresh_token'] : []);
      for (const g of extra) grants.add(g as ClientGrant);
      if (!grants.size) throw new CliError(`give --redirect-uri for a sign-in app or --grant client_credentials for a service\nusage: ${USAGE}`, 2);
      const method = values['auth-method'];
      if (method && !['client_secret_basic', 'client_secret_post', 'private_key_jwt'].includes(method)) {
        throw new CliError('--auth-method must be client_secret_basic, client_secret_post or private_key_jwt', 2);
      }
      const { category, error } = readCategoryFlag(values.category);
      if (error) throw new CliError(error, 2);
      const created = await withContext((ctx) =>
        createClient(
          ctx.store,
          {
            clientId: positionals[0]!,
            name: values.name,
            redirectUris,
            postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
            public: values.public ?? false,
            grantTypes: [...grants],
            authMethod: method as 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | undefined,
            jwks: values['jwks-file'] ? readJwks(values['jwks-file']) : undefined,
            jwksUri: values['jwks-uri'],
            category,
          },
          by,
          { validate: validateClientMetadata },
        ),
      );
      if (values.json) {
        printJson(io, created);
        return 0;
      }
      describe(io, created.client);
      if (created.clientSecret) {
        io.out('');
        io.out('The client secret is shown this once; store it in the app now:');
        io.out(created.clientSecret);
      }
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const clients = await withContext((ctx) => listClients(ctx.store.db));
      if (values.json) printJson(io, clients);
      else {
        printTable(
          io,
          clients.map((c) => ({ ...c, grants: c.grantTypes.join(','), redirects: c.redirectUris.length })),
          ['clientId', 'name', 'tokenEndpointAuthMethod', 'grants', 'redirects', 'createdAt'],
        );
      }
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a client id\nusage: ${USAGE}`, 2);
      const client = await withContext((ctx) => findClient(ctx.store.db, positionals[0]!));
      if (!client) throw new CliError(`no client ${positionals[0]}`);
      if (values.json) printJson(io, client);
      else describe(io, client);
      return 0;
    }
    case 'delete': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length !== 1) throw new CliError(`expected a client id\nusage: ${USAGE}`, 2);
      const client = await withContext((ctx) => deleteClient(ctx.store, positionals[0]!, by));
      io.out(`deleted client ${client.clientId}; its tokens no longer work`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
