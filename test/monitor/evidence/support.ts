import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, type EngineName } from '../../support/engines.ts';
import { startOidcServer, type OidcTestServer } from '../../oidc/support.ts';
import { cliEnv } from '../../foundation/support.ts';
import { addPerson } from '../../recovery/support.ts';
import { importTotp } from '../../../src/methods/totp/manage.ts';
import { createClient } from '../../../src/protocols/oidc/clients.ts';
import { savePolicy } from '../../../src/policy/store/policies.ts';
import { approveException, requestException } from '../../../src/policy/store/exceptions.ts';
import { issueTap } from '../../../src/recovery/tap/index.ts';
import { recordBreakGlassTest } from '../../../src/recovery/breakglass/index.ts';
import { writeSigninLog } from '../../../src/monitor/signin-log.ts';
import { queueCheckpoint } from '../../../src/monitor/outbox/checkpoints.ts';

const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const DAY = 86_400_000;
export const ORG = 'Acme <Audit> & Co';
/** A policy description a spreadsheet would run as a formula. */
export const FORMULA = '=HYPERLINK("https://evil.example","VPN staff need MFA")';

export interface EvidenceWorld {
  server: OidcTestServer;
  env: NodeJS.ProcessEnv;
  from: string;
  to: string;
  close(): Promise<void>;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A server with scripted data: people with and without MFA, administrators,
 * a break-glass account, a VPN app, a policy in force and one in report-only,
 * an exception, a TAP, a break-glass test and sign-ins, each also once well
 * before the period (the last week), so the pack must leave those out.
 */
export async function evidenceWorld(engine: EngineName): Promise<EvidenceWorld> {
  const ts = await openTestStore(engine);
  const masterKey = randomBytes(32).toString('base64');
  const server = await startOidcServer(engine, { testStore: ts, masterKey });
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-evidence-'));
  const env = { ...cliEnv(ts, dataDir), TESSERA_MASTER_KEY: masterKey, TESSERA_ISSUER: server.url, TESSERA_ORG_NAME: ORG };
  const { ctx } = server;
  const now = Date.now();
  const old = (days: number) => new Date(now - days * DAY);

  const ada = await addPerson(ctx, 'ada', ['global_admin']);
  const helen = await addPerson(ctx, 'helen', ['helpdesk']);
  const ann = await addPerson(ctx, 'ann');
  const bob = await addPerson(ctx, 'bob');
  const gail = await addPerson(ctx, 'gail', [], 'break_glass');
  await addPerson(ctx, 'audrey', ['auditor']);
  for (const u of [ada, helen, ann]) await importTotp(ctx, u.id, { secretBase32: SEED, actor: 'test' });

  await createClient(ctx.store, { clientId: 'vpn-gw', name: 'VPN gateway', redirectUris: ['https://vpn.example.com/cb'], category: 'vpn' }, { actor: 'test' });
  await savePolicy(ctx.store, { name: 'MFA for VPN', description: FORMULA, state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['vpn-gw'] } }, grant: { strength: 'mfa' } }, { actor: 'test' });
  await savePolicy(ctx.store, { name: 'Passkeys for admins', description: 'Staged until every administrator has a security key', state: 'reportOnly', assignments: { roles: { include: ['global_admin'] } }, grant: { strength: 'phishing_resistant_mfa' } }, { actor: 'test' });

  const asAda = { actor: `user:${ada.id}` };
  const asHelen = { actor: `user:${helen.id}` };
  const current = await requestException(ctx.store, { policy: 'MFA for VPN', user: 'bob', endsAt: day(now + 10 * DAY), reason: 'Phone lost, new one arrives next week' }, asAda);
  await approveException(ctx.store, current.id, asHelen);
  const past = await requestException(ctx.store, { policy: 'MFA for VPN', user: 'ann', endsAt: day(now - 50 * DAY), reason: 'Travelling without her phone' }, asAda, old(60));
  await approveException(ctx.store, past.id, asHelen, old(60));

  await issueTap(ctx, { user: 'bob', operator: 'helen' }, { actor: 'test' });
  await issueTap(ctx, { user: 'ann', operator: 'helen' }, { actor: 'test', now: old(40) });

  await writeSigninLog(ctx.store.db, { userId: gail.id, username: 'gail', clientId: 'vpn-gw', result: 'success', reason: 'ok', methodsUsed: ['password', 'webauthn'] });
  await recordBreakGlassTest(ctx.store, 'gail', { notes: 'quarterly drill' }, { actor: 'test' });
  await recordBreakGlassTest(ctx.store, 'gail', { result: 'fail', notes: 'long ago' }, { actor: 'test', now: old(40) });

  await writeSigninLog(ctx.store.db, { userId: ann.id, username: 'ann', clientId: 'vpn-gw', result: 'success', reason: 'ok', methodsUsed: ['password', 'totp'], strength: 'mfa' });
  await writeSigninLog(ctx.store.db, { userId: bob.id, username: 'bob', clientId: 'vpn-gw', result: 'success', reason: 'ok', methodsUsed: ['password'] });
  await writeSigninLog(ctx.store.db, { userId: bob.id, username: 'bob', clientId: 'vpn-gw', result: 'failure', reason: 'wrong_password', methodsTried: ['password'] });
  for (let i = 0; i < 5; i++) await writeSigninLog(ctx.store.db, { userId: ann.id, username: 'ann', clientId: 'vpn-gw', result: 'success', reason: 'ok', methodsUsed: ['password', 'totp'], at: old(30) });

  // A checkpoint as the schedule queues it for a sink, signed with the key the master key gives (the CLI shares it).
  const delivery = { routes: [], checkpoints: { intervalSeconds: 3600, file: join(dataDir, 'checkpoints.log'), webhook: false, syslog: false } };
  await queueCheckpoint({ config: { ...ctx.config, delivery }, store: ctx.store, logger: ctx.logger });

  return {
    server, env, from: day(now - 7 * DAY), to: day(now),
    async close() {
      await server.close();
      await ts.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
