import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/app/context.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { Config } from '../../src/config/config.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import type { Role } from '../../src/directory/roles.ts';
import { buildServer } from '../../src/http/server.ts';
import { openTestStore, type EngineName, type TestDatabase, type TestStore } from '../support/engines.ts';

/** A server over a fresh database of one engine, driven with app.inject (no port). */
export interface InjectedServer {
  ctx: AppContext;
  app: FastifyInstance;
  testStore: TestStore;
  /** Issues an admin API token of the given role straight through the service, owned by `owner` (a username) when given. */
  token(role: Role, owner?: string): Promise<string>;
  /** One request; `token` becomes the bearer header, `body` is sent as JSON. */
  call(method: string, url: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function injectedServer(engine: EngineName): Promise<InjectedServer> {
  const testStore = await openTestStore(engine);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-foundation-'));
  const config: Config = {
    dataDir,
    database: testStore.database,
    issuer: 'http://127.0.0.1:3000',
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    session: { idleSeconds: 3600, absoluteSeconds: 12 * 3600 },
    trustProxy: false,
  };
  const ctx: AppContext = {
    config,
    store: testStore.store,
    logger: createLogger(process.env.TESSERA_TEST_LOG ?? 'silent'),
    secrets: new SecretBox(randomBytes(32)),
  };
  const app = await buildServer(ctx);
  await app.ready();
  let closed = false;
  return {
    ctx,
    app,
    testStore,
    async token(role, owner) {
      return (await createApiToken(ctx.store, { role, name: `test ${role}`, owner }, { actor: 'test' })).token;
    },
    call(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      return app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(options.body === undefined ? {} : { payload: options.body as object }),
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await testStore.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE = join(ROOT, 'node_modules/.bin/node');
export const TESSERA = join(ROOT, 'bin/tessera.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment that points the real `tessera` binary at a test database:
 * SQLite lives in the data directory, so that is the database file's folder;
 * PostgreSQL is named by DATABASE_URL and `dataDir` only holds the master key.
 */
export function cliEnv(db: TestDatabase, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.TESSERA_CONFIG;
  if (db.database.engine === 'postgres') {
    env.DATABASE_URL = db.database.url;
    env.TESSERA_DATA_DIR = dataDir;
  } else {
    if (basename(db.database.file) !== 'tessera.sqlite') throw new Error('the CLI expects its SQLite file to be named tessera.sqlite');
    env.TESSERA_DATA_DIR = dirname(db.database.file);
  }
  return env;
}

/** Runs `tessera <args>` as a child process; stdin is closed (or given) so secrets can be piped. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [TESSERA, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
