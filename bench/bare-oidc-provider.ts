/**
 * The baseline of the token benchmarks: oidc-provider with nothing of
 * Tessera's, its default in-memory adapter, refresh tokens rotated as
 * Tessera rotates them. Run as a child process; prints "ready".
 *
 *   node bench/bare-oidc-provider.ts <port> <client secret>
 *
 * GET /mint?n=K answers K fresh refresh tokens (the refresh benchmark's
 * starting chains), made through the provider's own models.
 */
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const secret = process.argv[3]!;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    { client_id: 'bench', client_secret: secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
    { client_id: 'bench-rt', client_secret: secret, grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['http://127.0.0.1:9/callback'] },
  ],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  rotateRefreshToken: true,
});

async function mint(n: number): Promise<string[]> {
  const client = await provider.Client.find('bench-rt');
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const grant = new provider.Grant({ accountId: `account-${i}`, clientId: 'bench-rt' });
    grant.addOIDCScope('openid offline_access');
    const grantId = await grant.save();
    const token = new provider.RefreshToken({
      accountId: `account-${i}`, client, grantId, scope: 'openid offline_access', gty: 'authorization_code', authTime: Math.floor(Date.now() / 1000),
    });
    tokens.push(await token.save());
  }
  return tokens;
}

const callback = provider.callback();
createServer((req, res) => {
  if (req.url?.startsWith('/mint')) {
    const n = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? 1);
    mint(n).then((t) => res.end(JSON.stringify(t)), (e: Error) => { res.statusCode = 500; res.end(e.message); });
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
