import type { Db } from '../../store/store.ts';
import type { PolicyRecord } from '../../policy/store/policies.ts';
import { listCustomStrengths } from '../../policy/store/strength-catalog.ts';
import { combinationWarnings } from '../../policy/strengths.ts';
import { policyRequiresMfaFor } from '../posture/app-coverage.ts';
import type { AppCategory } from '../posture/categories.ts';
import { figure, table, type EvidenceSection } from './model.ts';
import type { PersonFact } from './people.ts';
import { inForce, requirementOf, scopeOf } from './policies.ts';
import { LEVEL_WORDS, methodsInWords } from './texts.ts';

/** The categories whose apps an attacker wants most; "other" is left out. */
const SENSITIVE: readonly AppCategory[] = ['mail', 'cloud', 'vpn', 'critical'];

interface App {
  kind: 'oidc' | 'saml' | 'radius';
  /** What policies name it by (as the posture checklist does). */
  appId: string;
  name: string;
  category: AppCategory;
}

async function sensitiveApps(db: Db): Promise<App[]> {
  const oidc = await db.selectFrom('oidc_clients').select(['client_id', 'name', 'grant_types', 'category']).where('category', 'in', [...SENSITIVE]).execute();
  const saml = await db.selectFrom('saml_service_providers').select(['name', 'category']).where('category', 'in', [...SENSITIVE]).execute();
  const radius = await db.selectFrom('radius_clients').select(['name', 'category']).where('category', 'in', [...SENSITIVE]).execute();
  const apps: App[] = [
    // A client that only uses client_credentials signs no person in: it is a service, not an app.
    ...oidc.filter((c) => (JSON.parse(c.grant_types) as string[]).includes('authorization_code')).map((c): App => ({ kind: 'oidc', appId: c.client_id, name: c.name ?? c.client_id, category: c.category })),
    ...saml.map((s): App => ({ kind: 'saml', appId: s.name, name: s.name, category: s.category })),
    ...radius.map((r): App => ({ kind: 'radius', appId: `radius:${r.name}`, name: r.name, category: r.category })),
  ];
  return apps.sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
}

function applies(p: PolicyRecord, appId: string): boolean {
  const apps = p.document.assignments.apps;
  return (apps.include === 'all' || apps.include.includes(appId)) && !apps.exclude.includes(appId);
}

function privilegedTable(people: readonly PersonFact[]) {
  const rows = people.filter((p) => p.privileged).map((p) => ({
    username: p.username, roles: p.kind === 'break_glass' ? ['break-glass', ...p.roles].join(', ') : p.roles.join(', '),
    strongest: LEVEL_WORDS[p.level], phishingResistant: p.level === 'phishing_resistant_mfa', methods: methodsInWords(p.methods) || null,
  }));
  return table('privileged-accounts', 'Privileged accounts', [
    ['username', 'Account'], ['roles', 'Roles'], ['strongest', 'Strongest sign-in it can make'], ['phishingResistant', 'Phishing-resistant'], ['methods', 'Registered methods'],
  ], rows);
}

/** Coverage of privileged accounts and of the sensitive apps (mail, cloud, VPN, critical): who and what MFA protects. */
export async function coverageSection(db: Db, people: readonly PersonFact[], policies: readonly PolicyRecord[], now: Date): Promise<EvidenceSection> {
  const weak = (await listCustomStrengths(db)).filter((s) => combinationWarnings(s).length > 0).map((s) => s.id);
  const apps = (await sensitiveApps(db)).map((a) => {
    const covering = policies.filter((p) => applies(p, a.appId));
    const enforced = covering.filter((p) => inForce(p, now));
    return {
      app: a.name, appId: a.appId, kind: a.kind, category: a.category,
      mfaForEveryone: enforced.some((p) => policyRequiresMfaFor({ id: p.id, document: p.document }, a.appId, now, weak)),
      enforcedBy: enforced.map((p) => `${p.name} (${scopeOf(p)}): ${requirementOf(p)}`).join('; ') || null,
      reportOnly: covering.filter((p) => !inForce(p, now) && p.state !== 'disabled').map((p) => p.name).join('; ') || null,
    };
  });
  const privileged = people.filter((p) => p.privileged);
  return {
    id: 'coverage',
    title: 'Coverage of privileged accounts and sensitive apps',
    about: 'Every active privileged account (an administrative role or a break-glass account) with the strongest sign-in its methods allow, and every mail, cloud, VPN or critical app with the policies in force on it and what they require. "MFA for everyone" means one policy in force asks every person for MFA on that app whatever the circumstances.',
    figures: [
      figure('privilegedAccounts', 'Privileged accounts', privileged.length),
      figure('privilegedWithoutMfa', 'Privileged accounts without a second factor', privileged.filter((p) => p.level === 'none').length),
      figure('privilegedPhishingResistant', 'Privileged accounts with phishing-resistant MFA', privileged.filter((p) => p.level === 'phishing_resistant_mfa').length),
      figure('sensitiveApps', 'Sensitive apps', apps.length),
      figure('sensitiveAppsWithMfa', 'Sensitive apps with MFA for everyone', apps.filter((a) => a.mfaForEveryone).length),
    ],
    tables: [
      privilegedTable(people),
      table('sensitive-apps', 'Sensitive apps', [
        ['app', 'App'], ['appId', 'Policies name it'], ['kind', 'Kind'], ['category', 'Category'], ['mfaForEveryone', 'MFA for everyone'],
        ['enforcedBy', 'Policies in force and what they require'], ['reportOnly', 'Policies in report-only'],
      ], apps),
    ],
  };
}
