import type { PostureFacts, PostureRow } from '../model.ts';
import { POSTURE_TEXT } from '../texts.ts';
import { row } from './row.ts';

/**
 * The access decision refuses every interactive sign-in of a service account
 * (src/policy/access/decide.ts); what can still be wrong is a service account
 * holding interactive credentials, and a machine client proving itself with a
 * shared secret instead of a key (private_key_jwt).
 */
export function serviceAccounts(f: PostureFacts): PostureRow {
  const withCredentials = f.serviceAccounts.filter((s) => s.credentials.length > 0).map((s) => s.username);
  const withSecrets = f.machineClients.filter((c) => c.authMethod !== 'private_key_jwt').map((c) => c.clientId);
  const problems = [
    ...(withCredentials.length ? [POSTURE_TEXT.serviceAccounts.credentials(withCredentials)] : []),
    ...(withSecrets.length ? [POSTURE_TEXT.serviceAccounts.secrets(withSecrets)] : []),
  ];
  return row('service-accounts', POSTURE_TEXT.serviceAccounts.title, problems.length === 0, {
    serviceAccounts: f.serviceAccounts.length,
    interactiveSignIn: 'refused',
    withInteractiveCredentials: withCredentials,
    machineClients: f.machineClients.length,
    keyBound: f.machineClients.length - withSecrets.length,
    sharedSecret: withSecrets,
  }, () => POSTURE_TEXT.serviceAccounts.fix(problems));
}

export function exceptionsEnd(f: PostureFacts): PostureRow {
  const open = f.exceptions.filter((e) => !e.endsAt || Number.isNaN(Date.parse(e.endsAt))).map((e) => e.id);
  const ends = f.exceptions.flatMap((e) => (e.endsAt ? [e.endsAt] : [])).sort();
  return row('exceptions-end-date', POSTURE_TEXT.exceptions.title, open.length === 0, {
    exceptions: f.exceptions.length,
    withoutEndDate: open,
    latestEnd: ends.at(-1) ?? '-',
  }, () => POSTURE_TEXT.exceptions.fix(open));
}
