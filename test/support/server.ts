import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/app/context.ts';
import type { Config } from '../../src/config/config.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createLogger } from '../../src/app/logger.ts';
import { buildServer } from '../../src/http/server.ts';
import { openTestStore, type EngineName, type TestStore } from './engines.ts';

/**
 * A real Tessera server on a loopback port over a fresh database of the given
 * engine, with its issuer matching the port (apps and browsers check it).
 */
export interface TestServer {
  url: string;
  ctx: AppContext;
  app: FastifyInstance;
  testStore: TestStore;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Another node on the same database: its store (closed, not dropped, with this server) and the first node's secrets. */
  node?: { testStore: TestStore; secrets: SecretBox };
}

export async function startTestServer(engine: EngineName, overrides: Partial<Config> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const testStore = options.node?.testStore ?? (await openTestStore(engine));
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-data-'));
  const config: Config = {
    dataDir,
    database: testStore.database,
    issuer: 'http://127.0.0.1:0',
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    session: { idleSeconds: 3600, absoluteSeconds: 12 * 3600 },
    trustProxy: false,
    ...overrides,
  };
  const ctx: AppContext = {
    config,
    store: testStore.store,
    logger: createLogger(process.env.TESSERA_TEST_LOG ?? 'silent'),
    secrets: options.node?.secrets ?? new SecretBox(randomBytes(32)),
  };
  // The issuer must name the real port, which is known only after listening:
  // reserve one, then build the server with the final issuer.
  const probe = createServer();
  const port: number = await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => {
    const a = probe.address();
    probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  }));
  config.port = port;
  // An issuer given with port 0 (e.g. http://localhost:0, which WebAuthn needs: browsers refuse an IP as its RP id) gets the real port.
  config.issuer = overrides.issuer?.replace(/:0$/, `:${port}`) ?? `http://127.0.0.1:${port}`;
  const app = await buildServer(ctx);
  await app.listen({ host: '127.0.0.1', port });
  return {
    url: config.issuer,
    ctx,
    app,
    testStore,
    async close() {
      await app.close();
      await testStore.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
