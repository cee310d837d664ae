/**
 * Client-credentials grants per second through Tessera (its durable store,
 * SQLite by default or DATABASE_URL) as a ratio to bare oidc-provider with its
 * in-memory adapter: same load generator (autocannon), same machine, same run.
 * The two servers are measured in alternation to even out a noisy machine.
 *
 *   node bench/client-credentials.ts [seconds per round=5] [rounds=2] [connections=10]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 2);
const connections = Number(process.argv[4] ?? 10);

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes(text) && resolve());
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function load(url: string, secret: string): Promise<{ rps: number; non2xx: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: {
      authorization: `Basic ${Buffer.from(`bench:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return { rps: result.requests.average, non2xx: result.non2xx };
}

// Bare oidc-provider.
const barePort = 4100 + Math.floor(Math.random() * 100);
const bareSecret = randomBytes(32).toString('base64url');
const bare = spawn(process.execPath, ['bench/bare-oidc-provider.ts', String(barePort), bareSecret], { stdio: ['ignore', 'pipe', 'inherit'] });
await waitFor(bare, 'ready');

// Tessera, with a client made by its own CLI.
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-cc-'));
const port = 4200 + Math.floor(Math.random() * 100);
const env = { ...process.env, TESSERA_DATA_DIR: dataDir, PORT: String(port), TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_LOG_LEVEL: 'warn', TESSERA_RADIUS_PORT: '0' };
const created = spawnSync(process.execPath, ['bin/tessera.js', 'client', 'create', 'bench', '--grant', 'client_credentials', '--json'], { env, encoding: 'utf8' });
if (created.status !== 0) throw new Error(`client create failed: ${created.stderr}`);
const tesseraSecret = (JSON.parse(created.stdout) as { clientSecret: string }).clientSecret;
const tessera = spawn(process.execPath, ['bin/tessera.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await waitFor(tessera, 'running at');

const bareRps: number[] = [];
const tesseraRps: number[] = [];
let errors = 0;
for (let r = 0; r < rounds; r++) {
  const b = await load(`http://127.0.0.1:${barePort}/token`, bareSecret);
  const t = await load(`http://127.0.0.1:${port}/oidc/token`, tesseraSecret);
  bareRps.push(b.rps);
  tesseraRps.push(t.rps);
  errors += b.non2xx + t.non2xx;
}
bare.kill();
tessera.kill('SIGTERM');
await new Promise((r) => tessera.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`bare oidc-provider (in-memory adapter): ${mean(bareRps).toFixed(0)} grants/s  [${bareRps.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`Tessera (${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'} store): ${mean(tesseraRps).toFixed(0)} grants/s  [${tesseraRps.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`ratio Tessera ÷ bare: ${(mean(tesseraRps) / mean(bareRps)).toFixed(2)} (goal ≥ 0.5); non-2xx responses: ${errors}`);
