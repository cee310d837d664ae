import type { Db } from '../../store/store.ts';
import { getMethodPolicy } from '../../methods/policy/check.ts';
import { getPushSettings } from '../../methods/push/settings.ts';
import { peopleCoverage, type PersonCoverage } from '../../policy/store/coverage.ts';
import { loadPolicySet } from '../../policy/store/policies.ts';
import { listExceptions } from '../../policy/store/exceptions.ts';
import { listCustomStrengths } from '../../policy/store/strength-catalog.ts';
import { combinationWarnings } from '../../policy/strengths.ts';
import { FATIGUE_NOTICE_VERSION } from './fatigue-notice.ts';
import type { AdminFact, AppFact, PostureFacts, RecoveryFacts } from './model.ts';

/** Administrators (holders of a privileged role, and the break-glass accounts), and people's phishing-resistant share. */
function accounts(all: readonly PersonCoverage[]): Pick<PostureFacts, 'admins' | 'people'> {
  const admins = all.filter((p) => p.privileged).map((p): AdminFact => ({ username: p.username, level: p.level, methods: p.methods }));
  const persons = all.filter((p) => p.kind === 'person');
  return { admins, people: { total: persons.length, phishingResistant: persons.filter((p) => p.level === 'phishing_resistant_mfa').length } };
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

async function serviceSide(db: Db, all: readonly PersonCoverage[]): Promise<Pick<PostureFacts, 'serviceAccounts' | 'machineClients'>> {
  const serviceAccounts = all.filter((a) => a.kind === 'service').map((a) => ({ username: a.username, credentials: a.methods }));
  const clients = await db.selectFrom('oidc_clients').select(['client_id', 'grant_types', 'token_endpoint_auth_method']).orderBy('client_id').execute();
  const machineClients = clients
    .filter((c) => (JSON.parse(c.grant_types) as string[]).includes('client_credentials'))
    .map((c) => ({ clientId: c.client_id, authMethod: c.token_endpoint_auth_method }));
  return { serviceAccounts, machineClients };
}

/** Everything the rows look at, read once. */
export async function gatherPostureFacts(db: Db, recovery: RecoveryFacts, now = new Date()): Promise<PostureFacts> {
  const exceptions = [...(await listExceptions(db, { status: 'active' }, now)), ...(await listExceptions(db, { status: 'pending' }, now))];
  const all = await peopleCoverage(db);
  return {
    now,
    ...accounts(all),
    webauthnEnabled: (await getMethodPolicy(db, 'webauthn')).enabled,
    apps: await apps(db),
    policies: (await loadPolicySet(db, now)).policies,
    weakStrengths: (await listCustomStrengths(db)).filter((s) => combinationWarnings(s).length > 0).map((s) => s.id),
    push: await push(db),
    restricted: { smsAllowAdmins: (await getMethodPolicy(db, 'sms')).allowAdmins, voiceAllowAdmins: (await getMethodPolicy(db, 'voice')).allowAdmins },
    ...(await serviceSide(db, all)),
    exceptions: exceptions.map((e) => ({ id: e.id, policyName: e.policyName, subject: `${e.subjectKind} ${e.subject}`, endsAt: e.endsAt || null })),
    recovery,
  };
}
