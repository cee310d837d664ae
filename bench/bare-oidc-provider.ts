/**
 * The baseline for bench/client-credentials.ts: oidc-provider with nothing of
 * Tessera's, its default in-memory adapter and one client. Run as a child process.
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const secret = process.argv[3]!;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    { client_id: 'bench', client_secret: secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
  ],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
});
createServer(provider.callback()).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
