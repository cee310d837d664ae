import type { Db } from '../../store/store.ts';
import { PRIVILEGED_ROLES } from '../../directory/roles.ts';
import { registeredMethodTypes } from '../../methods/list.ts';
import { getMethodPolicy } from '../../methods/policy/check.ts';
import { getPushSettings } from '../../methods/push/settings.ts';
import { topStrength } from '../../policy/store/coverage.ts';
import { loadActiveStrengths } from '../../policy/store/strengths-source.ts';
import { loadPolicySet } from '../../policy/store/policies.ts';
import { listExceptions } from '../../policy/store/exceptions.ts';
import { listCustomStrengths } from '../../policy/store/strength-catalog.ts';
import { combinationWarnings } from '../../policy/strengths.ts';
import { FATIGUE_NOTICE_VERSION } from './fatigue-notice.ts';
import type { AdminFact, AppFact, PostureFacts, RecoveryFacts } from './model.ts';

/** Administrators: holders of a privileged role, and the break-glass accounts. */
async function admins(db: Db): Promise<AdminFact[]> {
  const strengths = await loadActiveStrengths(db);
  const privileged = new Set((await db.selectFrom('role_assignments').select('user_id').where('role', 'in', [...PRIVILEGED_ROLES]).execute()).map((r) => r.user_id));
  const users = await db.selectFrom('users').select(['id', 'username', 'kind']).where('status', '=', 'active').orderBy('username').execute();
  const out: AdminFact[] = [];
  for (const u of users) {
    if (!privileged.has(u.id) && u.kind !== 'break_glass') continue;
    const methods = await registeredMethodTypes(db, u.id);
    out.push({ username: u.username, level: topStrength(methods, strengths), methods });
  }
  return out;
}

async function people(db: Db): Promise<PostureFacts['people']> {
  const strengths = await loadActiveStrengths(db);
  const rows = await db.selectFrom('users').select('id').where('status', '=', 'active').where('kind', '=', 'person').execute();
  let phishingResistant = 0;
  for (const r of rows) if (topStrength(await registeredMethodTypes(db, r.id), strengths) === 'phishing_resistant_mfa') phishingResistant++;
  return { total: rows.length, phishingResistant };
}

async function apps(db: Db): Promise<AppFact[]> {
  const oidc = await db.selectFrom('oidc_clients').select(['client_id', 'grant_types', 'category']).execute();
  const saml = await db.selectFrom('saml_service_providers').select(['name', 'category']).execute();
  const radius = await db.selectFrom('radius_clients').select(['name', 'category']).execute();
  return [
    // A client that only uses client_credentials signs no person in: it is a service, not an app.
    ...oidc.filter((c) => (JSON.parse(c.grant_types) as string[]).includes('authorization_code')).map((c): AppFact => ({ kind: 'oidc', appId: c.client_id, category: c.category })),
    ...saml.map((s): AppFact => ({ kind: 'saml', appId: s.name, category: s.category })),
    ...radius.map((r): AppFact => ({ kind: 'radius', appId: `radius:${r.name}`, category: r.category })),
  ];
}

async function push(db: Db): Promise<PostureFacts['push']> {
  const users = await db.selectFrom('push_credentials').select('user_id').distinct().where('status', '=', 'active').execute();
  const acknowledged = await db
    .selectFrom('push_fatigue_notices')
    .select('user_id')
    .where('version', '>=', FATIGUE_NOTICE_VERSION)
    .where('user_id', 'in', db.selectFrom('push_credentials').select('user_id').where('status', '=', 'active'))
    .execute();
  const settings = await getPushSettings(db);
  return {
    enabled: (await getMethodPolicy(db, 'push')).enabled, users: users.length, acknowledged: acknowledged.length,
    requestsPerWindow: settings.requestsPerWindow, windowMinutes: settings.windowMinutes, failuresBeforeSuspend: settings.failuresBeforeSuspend,
  };
}

async function serviceSide(db: Db): Promise<Pick<PostureFacts, 'serviceAccounts' | 'machineClients'>> {
  const accounts = await db.selectFrom('users').select(['id', 'username']).where('kind', '=', 'service').where('status', '=', 'active').orderBy('username').execute();
  const serviceAccounts = [];
  for (const a of accounts) serviceAccounts.push({ username: a.username, credentials: await registeredMethodTypes(db, a.id) });
  const clients = await db.selectFrom('oidc_clients').select(['client_id', 'grant_types', 'token_endpoint_auth_method']).orderBy('client_id').execute();
  const machineClients = clients
    .filter((c) => (JSON.parse(c.grant_types) as string[]).includes('client_credentials'))
    .map((c) => ({ clientId: c.client_id, authMethod: c.token_endpoint_auth_method }));
  return { serviceAccounts, machineClients };
}

/** Everything the rows look at, read once. */
export async function gatherPostureFacts(db: Db, recovery: RecoveryFacts, now = new Date()): Promise<PostureFacts> {
  const exceptions = [...(await listExceptions(db, { status: 'active' }, now)), ...(await listExceptions(db, { status: 'pending' }, now))];
  return {
    now,
    admins: await admins(db),
    people: await people(db),
    webauthnEnabled: (await getMethodPolicy(db, 'webauthn')).enabled,
    apps: await apps(db),
    policies: (await loadPolicySet(db, now)).policies,
    weakStrengths: (await listCustomStrengths(db)).filter((s) => combinationWarnings(s).length > 0).map((s) => s.id),
    push: await push(db),
    restricted: { smsAllowAdmins: (await getMethodPolicy(db, 'sms')).allowAdmins, voiceAllowAdmins: (await getMethodPolicy(db, 'voice')).allowAdmins },
    ...(await serviceSide(db)),
    exceptions: exceptions.map((e) => ({ id: e.id, policyName: e.policyName, subject: `${e.subjectKind} ${e.subject}`, endsAt: e.endsAt || null })),
    recovery,
  };
}
