/**
 * The audit log in words people read: every action code Tessera writes has a
 * plain phrase here, and every actor is named the way a person would say it.
 * The account page and the console show these, never the codes. The test
 * beside this file fails when a code written anywhere in src/ has no words.
 */
export const AUDIT_WORDS: Readonly<Record<string, string>> = {
  'store.restore': 'Whole store restored from a backup',
  'evidence.export': 'Evidence pack exported',
  'user.create': 'Account created',
  'user.update': 'Account details changed',
  'user.disable': 'Account disabled',
  'user.enable': 'Account enabled',
  'user.delete': 'Account deleted',
  'user.offboard': 'Account offboarded',
  'role.grant': 'Role granted',
  'role.revoke': 'Role removed',
  'group.create': 'Group created',
  'group.update': 'Group changed',
  'group.delete': 'Group deleted',
  'group.member.add': 'Added to a group',
  'group.member.remove': 'Removed from a group',
  'session.revoke_all': 'Signed out everywhere',
  'setup.token_issued': 'Set-up link issued',

  'method.password.set': 'Password set',
  'method.password.changed': 'Password changed',
  'method.password.remove': 'Password removed',
  'method.totp.add': 'Authenticator app added',
  'method.totp.remove': 'Authenticator app removed',
  'method.backup_codes.generate': 'New backup codes created',
  'method.backup_codes.revoke': 'Backup codes removed',
  'method.backup_code.remove': 'Backup codes removed',
  'method.webauthn.add': 'Security key added',
  'method.webauthn.rename': 'Security key renamed',
  'method.webauthn.remove': 'Security key removed',
  'method.webauthn.clone_detected': 'Security key suspended: it may have been copied',
  'method.webauthn.unsuspend': 'Security key allowed again',
  'method.push.enrolment_issued': 'Tessera Authenticator set-up started',
  'method.push.add': 'Tessera Authenticator added',
  'method.push.remove': 'Tessera Authenticator removed',
  'method.push.unsuspend': 'Tessera Authenticator allowed again',
  'method.push.subscription.add': 'Notifications turned on for a Tessera Authenticator',
  'method.push.subscription.replace': 'Notifications of a Tessera Authenticator renewed',
  'method.push.subscription.remove': 'Notifications turned off for a Tessera Authenticator',
  'method.push.subscription.gone': 'Notifications of a Tessera Authenticator ended: its push service no longer delivers them',
  'push.fatigue_notice.acknowledge': 'Warning about unexpected push requests read',
  'method.sms.add': 'Phone number for text messages added',
  'method.sms.remove': 'Phone number for text messages removed',
  'method.voice.add': 'Phone number for voice calls added',
  'method.voice.remove': 'Phone number for voice calls removed',
  'method.tap.remove': 'Temporary Access Pass removed',
  'method.device.bind': 'Sign-in method tied to a device',
  'method.throttle.unlock': 'Sign-in lock cleared',
  'method.settings.update': 'Sign-in method settings changed',
  'method.policy.update': 'Sign-in methods policy changed',

  'tap.create': 'Temporary Access Pass issued',
  'tap.approve': 'Temporary Access Pass approved',
  'tap.redeem': 'Temporary Access Pass used',
  'tap.revoke': 'Temporary Access Pass withdrawn',
  'tap.policy.update': 'Temporary Access Pass rules changed',
  'case.open': 'Helpdesk case opened',
  'case.cancel': 'Helpdesk case cancelled',
  'case.step.verify_identity': 'Helpdesk case: identity checked',
  'case.step.issue_tap': 'Helpdesk case: Temporary Access Pass issued',
  'case.step.approve_tap': 'Helpdesk case: Temporary Access Pass approved',
  'case.step.deliver_tap': 'Helpdesk case: Temporary Access Pass handed over',
  'case.step.new_method_registered': 'Helpdesk case: new sign-in method confirmed',
  'case.step.old_device_removed': 'Helpdesk case: old device removed',
  'case.step.signin_confirmed': 'Helpdesk case: sign-in confirmed',
  'case.step.close': 'Helpdesk case closed',
  'case.step.refused': 'Helpdesk case: a step was refused',
  'case.step.skip': 'Helpdesk case: a step was skipped',
  'breakglass.settings.update': 'Break-glass settings changed',
  'breakglass.test': 'Break-glass account tested',

  'device.create': 'Device added',
  'device.update': 'Device details changed',
  'device.found': 'Device marked as found',
  'device.lost': 'Device reported lost',
  'device.retired': 'Device retired',
  'device.token.issue': 'Device check-in token issued',

  'token.create': 'API token created',
  'token.revoke': 'API token revoked',
  'client.create': 'App registered',
  'client.update': 'App settings changed',
  'client.delete': 'App removed',
  'app.category.set': 'App category changed',
  'oidc.key_create': 'Signing key created',
  'oidc.key_rotate': 'Signing key rotated',
  'oidc.key_retire': 'Signing key retired',
  'saml.sp_create': 'SAML app registered',
  'saml.sp_delete': 'SAML app removed',
  'saml.secret_create': 'SAML secret created',
  'saml.key_create': 'SAML signing key created',
  'saml.key_prepare': 'SAML signing key published for the next rotation',
  'saml.key_activate': 'SAML signing key put in use',
  'saml.key_retire': 'SAML signing key retired',
  'radius.client.add': 'Network device (RADIUS) registered',
  'radius.client.remove': 'Network device (RADIUS) removed',

  'policy.create': 'Access policy created',
  'policy.update': 'Access policy changed',
  'policy.delete': 'Access policy deleted',
  'policy.state': 'Access policy switched on, off or to report-only',
  'policy.import': 'Access policies imported',
  'policy.settings': 'Access policy settings changed',
  'policy.location.create': 'Named location created',
  'policy.location.update': 'Named location changed',
  'policy.location.delete': 'Named location deleted',
  'policy.exception.request': 'Policy exception granted',
  'policy.exception.revoke': 'Policy exception ended',
  'policy.downgrade.request': 'Weaker policy requested',
  'policy.downgrade.approve': 'Weaker policy approved',
  'policy.downgrade.reject': 'Weaker policy turned down',
  'strength.create': 'Authentication strength created',
  'strength.update': 'Authentication strength changed',
  'strength.delete': 'Authentication strength deleted',
  'rollout.stage.add': 'Roll-out stage added',
  'rollout.stage.enforce': 'Roll-out stage enforced',
  'rollout.stage.remove': 'Roll-out stage removed',

  'directory.source.add': 'Directory connected',
  'directory.source.update': 'Directory settings changed',
  'directory.source.remove': 'Directory disconnected',
  'directory.sync': 'Directory synchronised',
  'directory.sync.dry_run': 'Directory sync previewed',
  'directory.person.adopt': 'Account handed over to the directory',
  'directory.person.returned': 'Account back in the directory',
  'directory.group.adopt': 'Group handed over to the directory',
  'directory.import': 'People imported from a file',

  'alert.acknowledge': 'Alert acknowledged',
  'detection.settings': 'Detection settings changed',
  'risk.raise': 'Sign-in risk raised',
  'notify.sent': 'Security notice sent',
  'delivery.retry': 'Failed delivery sent again',
  'report.not_me': '“This wasn’t me” reported',
};

/** What an entry is about, for people: the words for its action, else a plain fallback that shows no code. */
export function actionWords(action: string): string {
  return AUDIT_WORDS[action] ?? 'A change was recorded';
}

/** Who is who, for naming actors and targets; gathered by loadAuditNames (audit-names.ts). */
export interface AuditNames {
  /** user id → how to call them, and their roles (shown after the name). */
  people: ReadonlyMap<string, { name: string; roles: readonly string[] }>;
  /** API token id → its name and its owner's name. */
  tokens: ReadonlyMap<string, { name: string; owner: string | null }>;
}

export interface AuditEventLike {
  actor: string;
  action: string;
  target: string | null;
}

export interface DescribedAuditEvent {
  /** The whole sentence: "Temporary Access Pass issued by Ana Ortiz (helpdesk)". */
  title: string;
  /** The words for the action alone ("Temporary Access Pass issued"). */
  what: string;
  /** Who did it ("by you", "by Ana Ortiz (helpdesk)"); empty when the log does not say. */
  by: string;
  /** Whom or what it was about, when that is not the viewer: "for Ana Ortiz". */
  detail?: string;
}

function personPhrase(id: string, names: AuditNames): string {
  const person = names.people.get(id);
  if (!person) return 'a deleted account';
  const roles = person.roles.map((r) => r.replace(/_/g, ' '));
  return roles.length ? `${person.name} (${roles.join(', ')})` : person.name;
}

function tokenPhrase(id: string, names: AuditNames): string {
  const token = names.tokens.get(id);
  if (!token) return 'an API token that no longer exists';
  return token.owner ? `the API token “${token.name}” (owned by ${token.owner})` : `the API token “${token.name}”`;
}

/** "by …" for an actor string as auditedChange writes it ("user:<id>", "token:<id>", "cli:<os user>", "ldap:<source>", "system"). */
export function actorPhrase(actor: string, options: { viewerUserId?: string; names: AuditNames }): string {
  const colon = actor.indexOf(':');
  const kind = colon < 0 ? actor : actor.slice(0, colon);
  const rest = colon < 0 ? '' : actor.slice(colon + 1);
  switch (kind) {
    case 'user':
      return rest === options.viewerUserId ? 'by you' : `by ${personPhrase(rest, options.names)}`;
    case 'token':
      return `by ${tokenPhrase(rest, options.names)}`;
    case 'cli':
      return rest && rest !== 'unknown'
        ? `by someone at the server’s command line (signed in there as ${rest})`
        : 'by someone at the server’s command line';
    case 'ldap':
      return rest ? `by the directory sync (${rest})` : 'by the directory sync';
    case 'system':
      return 'by Tessera itself';
    default:
      return '';
  }
}

function targetPhrase(target: string | null, options: { viewerUserId?: string; names: AuditNames }): string | undefined {
  if (!target) return undefined;
  const [kind, id = ''] = target.split(/:(.*)/s);
  if (kind === 'user') return id === options.viewerUserId ? undefined : `for ${options.names.people.get(id)?.name ?? 'a deleted account'}`;
  if (kind === 'token') return options.names.tokens.has(id) ? `token “${options.names.tokens.get(id)!.name}”` : undefined;
  return undefined;
}

/** One audit entry as people read it. `viewerUserId` turns the viewer into "you". */
export function describeAuditEvent(entry: AuditEventLike, options: { viewerUserId?: string; names: AuditNames }): DescribedAuditEvent {
  const what = actionWords(entry.action);
  const by = actorPhrase(entry.actor, options);
  const detail = targetPhrase(entry.target, options);
  return { title: by ? `${what} ${by}` : what, what, by, ...(detail ? { detail } : {}) };
}
