import type { PostureFacts, PostureRow } from '../model.ts';
import { POSTURE_TEXT } from '../texts.ts';
import { percent, row } from './row.ts';

const RESTRICTED = ['sms', 'voice'];

export function adminMfa(f: PostureFacts): PostureRow {
  const without = f.admins.filter((a) => a.level === 'none').map((a) => a.username);
  const resistant = f.admins.filter((a) => a.level === 'phishing_resistant_mfa').length;
  return row('admin-mfa', POSTURE_TEXT.adminMfa.title, without.length === 0, {
    admins: f.admins.length,
    withMfa: f.admins.length - without.length,
    phishingResistant: resistant,
    phishingResistantShare: percent(resistant, f.admins.length),
    withoutMfa: without,
  }, () => POSTURE_TEXT.adminMfa.fix(without));
}

/** "Where possible": the method is on, and every administrator, who can be asked to, has one. */
export function phishingResistant(f: PostureFacts): PostureRow {
  const admins = f.admins.filter((a) => a.level !== 'phishing_resistant_mfa').map((a) => a.username);
  return row('phishing-resistant', POSTURE_TEXT.phishingResistant.title, f.webauthnEnabled && admins.length === 0, {
    methodEnabled: f.webauthnEnabled,
    people: f.people.total,
    peoplePhishingResistant: f.people.phishingResistant,
    peopleShare: percent(f.people.phishingResistant, f.people.total),
    adminsWithout: admins,
  }, () => (f.webauthnEnabled ? POSTURE_TEXT.phishingResistant.fix(admins) : POSTURE_TEXT.phishingResistant.fixDisabled));
}

export function smsForAdmins(f: PostureFacts): PostureRow {
  const holders = f.admins.filter((a) => a.methods.some((m) => RESTRICTED.includes(m))).map((a) => a.username);
  const policyAllows = f.restricted.smsAllowAdmins || f.restricted.voiceAllowAdmins;
  return row('sms-admins', POSTURE_TEXT.smsAdmins.title, !policyAllows && holders.length === 0, {
    smsAllowedForAdmins: f.restricted.smsAllowAdmins,
    voiceAllowedForAdmins: f.restricted.voiceAllowAdmins,
    adminsWithSmsOrVoice: holders,
  }, () => (policyAllows ? POSTURE_TEXT.smsAdmins.fixPolicy : POSTURE_TEXT.smsAdmins.fix(holders)));
}
