import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { AppContext } from '../../src/app/context.ts';
import type { Config } from '../../src/config/config.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createLogger } from '../../src/app/logger.ts';
import { buildServer } from '../../src/http/server.ts';
import { openStore } from '../../src/store/store.ts';
import { isStoreUnavailable } from '../../src/store/unavailable.ts';
import { createTestDatabase, engineSkip, type TestDatabase } from '../support/engines.ts';

/** A TCP relay in front of PostgreSQL that the test can cut, as a network failure or a server restart would. */
async function relay(target: URL): Promise<{ port: number; cut(): Promise<void>; mend(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      port = typeof a === 'object' && a ? a.port : 0;
      resolve();
    });
  });
  await listen();
  return {
    port,
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    mend: listen,
  };
}

async function serverOver(database: Config['database']) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-outage-'));
  const store = await openStore(database);
  const config: Config = {
    dataDir, database, issuer: 'http://127.0.0.1:3000', host: '127.0.0.1', port: 0, logLevel: 'silent',
    session: { idleSeconds: 3600, absoluteSeconds: 12 * 3600 }, trustProxy: false,
  };
  const ctx: AppContext = { config, store, logger: createLogger('silent'), secrets: new SecretBox(randomBytes(32)) };
  const app = await buildServer(ctx);
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function assert503(res: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string) {
  assert.equal(res.statusCode, 503, `${what}: ${res.body}`);
  assert.match(String(res.headers['retry-after']), /^\d+$/, what);
  assert.equal(JSON.parse(res.body).error, 'temporarily_unavailable', what);
}

test('errors that mean "the store cannot be reached" are told from the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-outage-'));
  try {
    const file = join(dir, 'x.sqlite');
    const holder = new DatabaseSync(file);
    holder.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (x)');
    const other = new DatabaseSync(file);
    other.exec('PRAGMA busy_timeout = 0');
    holder.exec('BEGIN IMMEDIATE');
    assert.throws(() => other.exec('INSERT INTO t VALUES (1)'), (err: unknown) => isStoreUnavailable(err), 'SQLite: locked');
    holder.exec('ROLLBACK');
    assert.throws(() => other.exec('SELECT * FROM missing'), (err: unknown) => !isStoreUnavailable(err), 'SQLite: a bad query is a bug');
    assert.throws(() => new DatabaseSync(join(dir, 'no/such/dir.sqlite')), (err: unknown) => isStoreUnavailable(err), 'SQLite: cannot open');
    holder.close();
    other.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const refused = new pg.Client({ connectionString: 'postgres://tessera@127.0.0.1:1/none' });
  await assert.rejects(refused.connect(), (err: unknown) => isStoreUnavailable(err), 'PostgreSQL: connection refused');
  assert.equal(isStoreUnavailable(new Error('boom')), false);
  assert.equal(isStoreUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
  assert.equal(isStoreUnavailable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '57P01' }) })), true);
});

test('while PostgreSQL is unreachable, pages, the admin API and the OIDC endpoints answer 503 with Retry-After', engineSkip('postgres'), async (t) => {
  const tdb: TestDatabase = await createTestDatabase('postgres');
  t.after(() => tdb.drop());
  if (tdb.database.engine !== 'postgres') throw new Error('unreachable');
  const real = new URL(tdb.database.url);
  const cable = await relay(real);
  const proxied = new URL(real);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(cable.port);
  const server = await serverOver({ engine: 'postgres', url: proxied.toString() });
  t.after(async () => {
    await server.close();
    await cable.cut();
  });
  const { app } = server;
  assert.equal((await app.inject('/signin')).statusCode, 303, 'up: the sign-in starts');

  await cable.cut();
  assert503(await app.inject('/signin'), 'a sign-in page');
  assert503(await app.inject({ url: '/api/admin/users', headers: { authorization: `Bearer tsk_${'0'.repeat(32)}_${'A'.repeat(43)}` } }), 'the admin API');
  assert503(await app.inject({ url: '/oidc/me', headers: { authorization: `Bearer ${'x'.repeat(43)}` } }), 'userinfo');
  assert.equal((await app.inject('/readyz')).statusCode, 503);

  await cable.mend();
  assert.equal((await app.inject('/signin')).statusCode, 303, 'back: the next request works');
});

test('while another process holds SQLite\'s write lock past the busy timeout, a write answers 503', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-outage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tessera.sqlite');
  const server = await serverOver({ engine: 'sqlite', file });
  t.after(() => server.close());
  assert.equal((await server.app.inject('/signin')).statusCode, 303);
  const other = new DatabaseSync(file);
  other.exec('BEGIN IMMEDIATE');
  try {
    // Waits out the busy timeout (10 s), then gives up.
    assert503(await server.app.inject('/signin'), 'a sign-in start (it writes)');
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  assert.equal((await server.app.inject('/signin')).statusCode, 303);
});
