import { auditedChange } from '../../audit/append.ts';
import { NotFoundError, type ChangedBy } from '../../directory/errors.ts';
import type { Store } from '../../store/store.ts';
import type { AppCategory } from './categories.ts';

export const APP_KINDS = ['oidc', 'saml', 'radius'] as const;
export type AppKind = (typeof APP_KINDS)[number];

/** Where each kind of app keeps its category, and the column that names it. */
const HOME = {
  oidc: { table: 'oidc_clients', key: 'client_id' },
  saml: { table: 'saml_service_providers', key: 'name' },
  radius: { table: 'radius_clients', key: 'name_key' },
} as const;

/** Changes an app's category (the posture checklist's mail, cloud, vpn, critical or other); audited 'app.category.set'. */
export async function setAppCategory(store: Store, kind: AppKind, name: string, category: AppCategory, by: ChangedBy): Promise<{ kind: AppKind; name: string; category: AppCategory }> {
  const { table, key } = HOME[kind];
  // RADIUS names are matched without regard to case, as when they are added.
  const match = kind === 'radius' ? name.toLowerCase() : name;
  return auditedChange(store, async (trx, record) => {
    const before = await trx.selectFrom(table).select('category').where(key, '=', match).executeTakeFirst();
    if (!before) throw new NotFoundError(`no ${kind} app ${name}`);
    await trx.updateTable(table).set({ category }).where(key, '=', match).execute();
    await record({ actor: by.actor, action: 'app.category.set', target: `${kind}:${name}`, requestId: by.requestId, before: { category: before.category }, after: { category } });
    return { kind, name, category };
  });
}
