/**
 * A Tessera server for a benchmark: a fresh data dir (and, on PostgreSQL, a
 * throw-away server of its own), people with a password and an authenticator
 * app, apps registered, then `tessera serve` as a child process whose CPU the
 * benchmark reads.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { pathToFileURL } from 'node:url';
import type { NewClient } from '../../src/protocols/oidc/clients.ts';
import { startPostgres, type RunningPostgres } from '../../test/support/postgres-server.ts';
import { freePort, startChild, stopChild } from './process.ts';

export type Engine = 'sqlite' | 'postgres';
export const PASSWORD = 'violet tangerine lighthouse';
export const REDIRECT = 'http://127.0.0.1:9/callback';

export interface BenchTessera {
  url: string;
  port: number;
  child: ChildProcess;
  totpSecret: string;
  /** Client secrets by client id. */
  secrets: Record<string, string>;
  users: number;
  close(): Promise<void>;
}

export interface TesseraSetup {
  engine: Engine;
  users: number;
  clients: NewClient[];
  /** Server processes (tessera serve --workers); default 1. */
  workers?: number;
  /** The checkout to seed and run (bench/signin-cpu.ts compares two); default this one. */
  tree?: string;
}

const HERE = join(import.meta.dirname, '../..');

/** The modules that seed a store, loaded from the checkout that will serve it (its schema may differ from this one's). */
async function seedModules(tree: string) {
  const load = <T>(path: string) => import(pathToFileURL(join(tree, path)).href) as Promise<T>;
  return {
    ...(await load<typeof import('../../src/config/config.ts')>('src/config/config.ts')),
    ...(await load<typeof import('../../src/app/context.ts')>('src/app/context.ts')),
    ...(await load<typeof import('../../test/support/fixtures.ts')>('test/support/fixtures.ts')),
    ...(await load<typeof import('../../src/methods/totp/manage.ts')>('src/methods/totp/manage.ts')),
    ...(await load<typeof import('../../src/directory/users.ts')>('src/directory/users.ts')),
    ...(await load<typeof import('../../src/protocols/oidc/clients.ts')>('src/protocols/oidc/clients.ts')),
  };
}

async function database(engine: Engine): Promise<RunningPostgres | null> {
  if (engine === 'sqlite') return null;
  const pg = await startPostgres();
  if ('error' in pg) throw new Error(`PostgreSQL benchmark needs a server: ${pg.error}`);
  return pg;
}

/** People bench-0 … bench-(n-1), one argon2id hash shared (each verify still costs a full hash). */
async function seed(env: NodeJS.ProcessEnv, setup: TesseraSetup): Promise<{ totpSecret: string; secrets: Record<string, string> }> {
  const { createContext, loadConfig, createUserWithPassword, importTotp, insertUser, createClient } = await seedModules(setup.tree ?? HERE);
  const ctx = await createContext(loadConfig(env), {});
  const totpSecret = new OTPAuth.Secret({ size: 20 }).base32;
  const first = await createUserWithPassword(ctx, 'bench-0', PASSWORD);
  const hash = (await ctx.store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', first.id).executeTakeFirstOrThrow()).hash;
  await importTotp(ctx, first.id, { secretBase32: totpSecret, actor: 'bench' });
  for (let i = 1; i < setup.users; i++) {
    const u = await ctx.store.db.transaction().execute((trx) => insertUser(trx, { username: `bench-${i}` }));
    const now = new Date().toISOString();
    await ctx.store.db.insertInto('password_credentials').values({ user_id: u.id, hash, created_at: now, updated_at: now, last_used_at: null }).execute();
    await importTotp(ctx, u.id, { secretBase32: totpSecret, actor: 'bench' });
  }
  const secrets: Record<string, string> = {};
  for (const c of setup.clients) {
    const made = await createClient(ctx.store, c, { actor: 'bench' });
    if (made.clientSecret) secrets[c.clientId] = made.clientSecret;
  }
  await ctx.store.close();
  return { totpSecret, secrets };
}

export async function startTessera(setup: TesseraSetup): Promise<BenchTessera> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const pg = await database(setup.engine);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), PORT: String(port),
    TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_LOG_LEVEL: 'warn', TESSERA_RADIUS_PORT: '0', TESSERA_WORKERS: String(setup.workers ?? 1),
    ...(pg ? { DATABASE_URL: pg.url } : {}),
  };
  if (!pg) delete env.DATABASE_URL;
  const seeded = await seed(env, setup);
  const child = await startChild([join(setup.tree ?? HERE, 'bin/tessera.js'), 'serve'], 'running at', { env });
  return {
    url: `http://127.0.0.1:${port}`, port, child, users: setup.users, ...seeded,
    close: async () => {
      await stopChild(child);
      await pg?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
