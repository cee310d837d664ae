import type { Kysely } from 'kysely';
import type { CaPoliciesTable } from '../../policy/store/tables.ts';

type Db = Kysely<{ ca_policies: CaPoliciesTable }>;

/**
 * The policies a fresh installation starts with (see src/policy/defaults.ts
 * for why): MFA for every administrative role, and for everyone who has
 * registered a second factor. Frozen here as they were when this migration
 * was written, so re-running it always seeds the same thing.
 */
const DEFAULTS = [
  {
    id: '5e0c3f0e-7a35-4c1b-9d0e-0a1d2b3c4d01',
    document: {
      name: 'Require MFA for admins',
      description: 'Built-in safety: every holder of an administrative role proves a second factor, on every app. An admin without one registers one inside the sign-in.',
      state: 'enabled' as const,
      assignments: {
        users: { include: [] },
        groups: { include: [] },
        roles: { include: ['global_admin', 'security_admin', 'helpdesk', 'auditor'], exclude: [] },
        apps: { include: 'all', exclude: [] },
      },
      conditions: {},
      grant: { strength: 'mfa', operator: 'all' },
    },
  },
  {
    id: '5e0c3f0e-7a35-4c1b-9d0e-0a1d2b3c4d02',
    document: {
      name: 'Require MFA for users with a second factor',
      description: 'Whoever has registered a second factor is always asked for it, so registering one never makes an account weaker.',
      state: 'enabled' as const,
      assignments: {
        users: { include: 'all' },
        groups: { include: [] },
        roles: { include: [], exclude: [] },
        apps: { include: 'all', exclude: [] },
      },
      conditions: { registeredMethods: { anyOf: ['totp', 'backup_code', 'webauthn', 'push', 'sms', 'voice'] } },
      grant: { strength: 'mfa', operator: 'all' },
    },
  },
];

export async function up(db: Db): Promise<void> {
  const now = new Date().toISOString();
  for (const p of DEFAULTS) {
    await db
      .insertInto('ca_policies')
      .values({
        id: p.id,
        name: p.document.name,
        name_key: p.document.name.toLowerCase(),
        state: p.document.state,
        document: JSON.stringify(p.document),
        version: 1,
        origin: 'default',
        created_at: now,
        updated_at: now,
        updated_by: 'system',
      })
      .execute();
  }
}

export async function down(db: Db): Promise<void> {
  await db.deleteFrom('ca_policies').where('origin', '=', 'default').execute();
}
