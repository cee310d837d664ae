import type { AppContext } from '../../../app/context.ts';
import type { Config } from '../../../config/config.ts';
import { auditedChange } from '../../../audit/append.ts';
import { createClient, findClient } from '../../../protocols/oidc/clients.ts';
import { forgetClientRow } from '../../../protocols/oidc/client-rows.ts';
import { savePolicy } from '../../../policy/store/policies.ts';
import { CONSOLE_TEXT } from './texts.ts';

/** The console's client id at this server's own OpenID provider. */
export const CONSOLE_CLIENT_ID = 'tessera-console';
const SYSTEM = { actor: 'system:console' };

export function consoleRedirectUri(config: Config): string {
  return `${config.issuer}/admin/callback`;
}

/**
 * Registers the console as an app of this server the first time it starts,
 * with its default policy in the same go: everyone reaches the console with
 * phishing-resistant MFA, signs in again every 12 hours and after 15 minutes
 * idle. The policy is an ordinary one from then on (edited, loosened through
 * the downgrade approval, guarded by the lockout analysis); deleting it does
 * not bring it back. A changed issuer moves the registered callback with it.
 */
export async function ensureConsoleClient(ctx: AppContext): Promise<void> {
  const redirect = consoleRedirectUri(ctx.config);
  const existing = await findClient(ctx.store.db, CONSOLE_CLIENT_ID);
  if (existing) {
    if (existing.redirectUris.length === 1 && existing.redirectUris[0] === redirect) return;
    await auditedChange(ctx.store, async (trx, record) => {
      await trx.updateTable('oidc_clients')
        .set({ redirect_uris: JSON.stringify([redirect]), updated_at: new Date().toISOString() })
        .where('client_id', '=', CONSOLE_CLIENT_ID).execute();
      await record({ actor: SYSTEM.actor, action: 'client.update', target: `client:${CONSOLE_CLIENT_ID}`, before: { redirectUris: existing.redirectUris }, after: { redirectUris: [redirect] } });
    });
    forgetClientRow(ctx.store.db, CONSOLE_CLIENT_ID);
    return;
  }
  try {
    await createClient(ctx.store, {
      clientId: CONSOLE_CLIENT_ID, name: CONSOLE_TEXT.appName, public: true, redirectUris: [redirect], grantTypes: ['authorization_code'],
    }, SYSTEM);
  } catch (err) {
    // Another node registered it at the same moment, or the issuer is plain http on a non-loopback host.
    if (await findClient(ctx.store.db, CONSOLE_CLIENT_ID)) return;
    ctx.logger.warn({ err }, 'the admin console could not be registered (its callback must be https, or http on localhost)');
    return;
  }
  await savePolicy(ctx.store, {
    name: CONSOLE_TEXT.policyName,
    description: CONSOLE_TEXT.policyDescription,
    state: 'enabled',
    assignments: { users: { include: 'all' }, apps: { include: [CONSOLE_CLIENT_ID] } },
    grant: { strength: 'phishing_resistant_mfa' },
    session: { signInFrequencyHours: 12, idleMinutes: 15 },
  }, SYSTEM);
}
