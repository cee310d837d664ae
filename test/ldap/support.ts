import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/config/secret-box.ts';
import type { SecretBox as Box } from '../../src/config/secret-box.ts';
import type { Store } from '../../src/store/store.ts';
import { addSource, type DirectorySource } from '../../src/protocols/ldap/sources.ts';
import type { SourceSettingsInput } from '../../src/protocols/ldap/settings.ts';
import { GROUPS, PEOPLE, SYNC_DN, SYNC_PW, type Slapd } from './slapd.ts';

export const newSecrets = (): Box => new SecretBox(randomBytes(32));

/** The seeded directory as a source: StartTLS with the run's CA, OpenLDAP's disabled filter, a week's grace. */
export function settingsFor(slapd: Slapd, extra: Partial<SourceSettingsInput> = {}): SourceSettingsInput {
  return {
    url: slapd.url, startTls: true, caPem: slapd.caPem, bindDn: SYNC_DN,
    users: { baseDn: PEOPLE, disabledFilter: '(employeeType=disabled)' }, groups: { baseDn: GROUPS },
    offboardAfterDays: 7, intervalMinutes: 0, ...extra,
  };
}

export function addTestSource(store: Store, secrets: Box, slapd: Slapd, extra: Partial<SourceSettingsInput> = {}, name = 'corp'): Promise<DirectorySource> {
  return addSource(store, secrets, { name, bindPassword: SYNC_PW, settings: settingsFor(slapd, extra) }, { actor: 'cli:test' });
}

export async function usersByName(store: Store): Promise<Map<string, { id: string; email: string | null; status: string; displayName: string | null }>> {
  const rows = await store.db.selectFrom('users').select(['id', 'username', 'email', 'status', 'display_name']).execute();
  return new Map(rows.map((r) => [r.username, { id: r.id, email: r.email, status: r.status, displayName: r.display_name }]));
}

export async function membersOf(store: Store, group: string): Promise<string[]> {
  const rows = await store.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
    .innerJoin('users', 'users.id', 'group_members.user_id').select('users.username').where('groups.name', '=', group).execute();
  return rows.map((r) => r.username).sort();
}

export async function auditActions(store: Store, actor: string): Promise<string[]> {
  const rows = await store.db.selectFrom('audit_log').select('action').where('actor', '=', actor).orderBy('seq').execute();
  return rows.map((r) => r.action);
}
