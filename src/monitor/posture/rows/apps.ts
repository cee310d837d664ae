import { appRequiresMfa } from '../app-coverage.ts';
import type { PostureFacts, PostureRow } from '../model.ts';
import { POSTURE_TEXT } from '../texts.ts';
import { row } from './row.ts';

const MUST_HAVE_MFA = new Set(['mail', 'cloud', 'vpn', 'critical']);

/**
 * Mail, cloud, VPN (and critical) apps need MFA for everyone. With apps
 * registered but none given a category the row cannot tell, so it fails and
 * asks for the categories rather than passing on nothing.
 */
export function appMfa(f: PostureFacts): PostureRow {
  const relevant = f.apps.filter((a) => MUST_HAVE_MFA.has(a.category));
  const uncovered = relevant.filter((a) => !appRequiresMfa(f.policies, a.appId, f.now, f.weakStrengths)).map((a) => a.appId);
  const count = (c: string) => f.apps.filter((a) => a.category === c).length;
  const uncategorised = f.apps.length > 0 && relevant.length === 0;
  return row('app-mfa', POSTURE_TEXT.appMfa.title, uncovered.length === 0 && !uncategorised, {
    apps: f.apps.length,
    mail: count('mail'), cloud: count('cloud'), vpn: count('vpn'), critical: count('critical'), other: count('other'),
    requireMfa: relevant.length - uncovered.length,
    withoutMfa: uncovered,
  }, () => (uncategorised ? POSTURE_TEXT.appMfa.fixUncategorised : POSTURE_TEXT.appMfa.fix(uncovered)));
}
