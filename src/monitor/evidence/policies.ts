import type { PolicyRecord } from '../../policy/store/policies.ts';
import type { NameActor } from './actors.ts';
import { figure, table, type Cell, type EvidenceSection } from './model.ts';
import { conditionsInWords, strengthInWords } from './texts.ts';

/** Enabled and past any staged start: the policy acts on sign-ins. */
export function inForce(p: PolicyRecord, now: Date): boolean {
  return p.state === 'enabled' && (!p.document.enforceFrom || new Date(p.document.enforceFrom) <= now);
}

function modeOf(p: PolicyRecord, now: Date): string {
  if (inForce(p, now)) return 'in force';
  if (p.state === 'enabled') return `report-only until ${p.document.enforceFrom}`;
  return p.state === 'reportOnly' ? 'report-only' : 'off';
}

/** What an applying policy demands, in words. */
export function requirementOf(p: PolicyRecord): string {
  const g = p.document.grant;
  const parts: string[] = [];
  if (g && 'block' in g) parts.push('block the sign-in');
  else if (g) {
    const controls = [g.strength ? strengthInWords(g.strength) : '', g.compliantDevice ? 'a compliant device' : ''].filter(Boolean);
    parts.push(controls.join(g.operator === 'any' ? ' or ' : ' and '));
  }
  const s = p.document.session;
  if (s?.signInFrequencyHours) parts.push(`sign in again every ${s.signInFrequencyHours} h`);
  if (s?.idleMinutes) parts.push(`sign in again after ${s.idleMinutes} min idle`);
  return parts.join('; ');
}

/** Whom a policy targets, in words. */
export function scopeOf(p: PolicyRecord): string {
  const a = p.document.assignments;
  const who = [
    a.users.include === 'all' ? 'everyone' : a.users.include.length ? `people: ${a.users.include.join(', ')}` : '',
    a.groups.include.length ? `groups: ${a.groups.include.join(', ')}` : '',
    a.roles.include.length ? `roles: ${a.roles.include.join(', ')}` : '',
  ].filter(Boolean).join('; ');
  return who || 'nobody';
}

function whoOf(p: PolicyRecord): string {
  const a = p.document.assignments;
  const apps = a.apps.include === 'all' ? 'all apps' : `apps: ${a.apps.include.join(', ')}`;
  const except = [...a.roles.exclude.map((r) => `role ${r}`), ...a.apps.exclude.map((x) => `app ${x}`)];
  return `${scopeOf(p)} on ${apps}${except.length ? `, except ${except.join(', ')}` : ''}`;
}

/**
 * Policies as they stand when the pack is made (the audit log holds every
 * change before): in force, report-only, or off, with the description their
 * authors gave as the reason.
 */
export async function policySection(policies: readonly PolicyRecord[], now: Date, nameOf: NameActor): Promise<EvidenceSection> {
  const rows: Array<Record<string, Cell>> = [];
  for (const p of policies) {
    rows.push({
      name: p.name, mode: modeOf(p, now), appliesTo: whoOf(p), requires: requirementOf(p),
      conditions: conditionsInWords(Object.keys(p.document.conditions).sort()) || null,
      reason: p.document.description ?? null, version: p.version, updatedAt: p.updatedAt, updatedBy: await nameOf(p.updatedBy),
    });
  }
  const count = (mode: (p: PolicyRecord) => boolean) => policies.filter(mode).length;
  return {
    id: 'policies',
    title: 'Access policies',
    about: 'Every conditional-access policy as it stands when the pack was made. A policy in report-only records what it would have done without acting; its description is the reason its authors gave.',
    figures: [
      figure('total', 'Policies', policies.length),
      figure('inForce', 'In force', count((p) => inForce(p, now))),
      figure('reportOnly', 'In report-only', count((p) => !inForce(p, now) && p.state !== 'disabled')),
      figure('off', 'Switched off', count((p) => p.state === 'disabled')),
    ],
    tables: [
      table('policies', 'Policies', [
        ['name', 'Policy'], ['mode', 'Mode'], ['appliesTo', 'Applies to'], ['requires', 'Requires'], ['conditions', 'Only under conditions on'],
        ['reason', 'Reason (description)'], ['version', 'Version'], ['updatedAt', 'Last changed'], ['updatedBy', 'Changed by'],
      ], rows),
    ],
  };
}
