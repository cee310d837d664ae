import { z } from 'zod';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * What a directory source is: where the directory is, how to reach it safely,
 * where its people and groups are and which attributes say what. Stored as
 * JSON beside the sealed bind password; Active Directory and OpenLDAP differ
 * in their defaults, filled in by `withFlavorDefaults`.
 */
const filterSchema = z.string().trim().min(3).max(1024).refine((f) => parses(f), 'is not an LDAP filter (RFC 4515), e.g. (objectClass=person)');
const attributeSchema = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'is not an attribute name');
const dnSchema = z.string().trim().min(3).max(1024);

// The LDAP client library is loaded by the first filter checked, not at start-up (a server without
// directory sources never needs it). The check is synchronous, so the library's ES module file is
// required: Node then gives the very module `import 'ldapts'` gives elsewhere, classes and all.
const require = createRequire(import.meta.url);
let filterParser: typeof import('ldapts').FilterParser | undefined;

function parses(filter: string): boolean {
  filterParser ??= (require(fileURLToPath(import.meta.resolve('ldapts'))) as typeof import('ldapts')).FilterParser;
  try {
    filterParser.parseString(filter);
    return true;
  } catch {
    return false;
  }
}

export const sourceSettingsSchema = z.strictObject({
  url: z.string().trim().regex(/^ldaps?:\/\/[^/?#\s]+\/?$/i, 'must be ldaps://host[:port] or ldap://host[:port]'),
  flavor: z.enum(['openldap', 'ad']).default('openldap'),
  startTls: z.boolean().default(false).describe('Upgrade an ldap:// connection with StartTLS'),
  caPem: z.string().trim().max(65536).regex(/-----BEGIN CERTIFICATE-----/, 'must be PEM').optional()
    .describe('The CA that signed the directory\'s certificate; without it the system\'s trusted CAs'),
  allowPlain: z.boolean().default(false).describe('Allow ldap:// without TLS (bind password and passwords in clear): only for a test directory on loopback'),
  bindDn: dnSchema,
  users: z.strictObject({
    baseDn: dnSchema,
    filter: filterSchema.optional(),
    usernameAttribute: attributeSchema.optional(),
    emailAttribute: attributeSchema.default('mail'),
    displayNameAttribute: attributeSchema.default('displayName'),
    /** OpenLDAP has no standard disabled flag: a filter that matches disabled people, e.g. (employeeType=disabled). AD uses userAccountControl. */
    disabledFilter: filterSchema.optional(),
  }),
  groups: z.strictObject({
    baseDn: dnSchema,
    filter: filterSchema.optional(),
    nameAttribute: attributeSchema.default('cn'),
    memberAttribute: attributeSchema.default('member'),
  }).optional(),
  adoptLocal: z.boolean().default(false).describe('Take over local accounts and groups (made here, not by SCIM or another source) whose name the directory has'),
  passwordBind: z.boolean().default(false).describe('The password step checks the password by binding to the directory as the person'),
  intervalMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60).describe('How often every node tries a sync; 0 for on demand only'),
  offboardAfterDays: z.number().int().min(0).max(3650).default(30).describe('How long a person gone from the directory stays disabled before offboarding'),
});
export type SourceSettingsInput = z.input<typeof sourceSettingsSchema>;
export type ParsedSettings = z.output<typeof sourceSettingsSchema>;

/** The settings with every default filled in: what a sync and a password check use. */
export interface SourceSettings extends ParsedSettings {
  users: ParsedSettings['users'] & { filter: string; usernameAttribute: string };
  groups?: NonNullable<ParsedSettings['groups']> & { filter: string };
}

export function withFlavorDefaults(s: ParsedSettings): SourceSettings {
  const ad = s.flavor === 'ad';
  return {
    ...s,
    users: {
      ...s.users,
      filter: s.users.filter ?? (ad ? '(&(objectCategory=person)(objectClass=user))' : '(objectClass=inetOrgPerson)'),
      usernameAttribute: s.users.usernameAttribute ?? (ad ? 'sAMAccountName' : 'uid'),
    },
    groups: s.groups && { ...s.groups, filter: s.groups.filter ?? (ad ? '(objectClass=group)' : '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))') },
  };
}

/** Why settings may not be used as they are, or null: TLS unless plain text was asked for by name. */
export function transportProblem(s: ParsedSettings): string | null {
  const secure = /^ldaps:/i.test(s.url);
  if (secure && s.startTls) return 'StartTLS is for ldap:// URLs; ldaps:// is TLS from the start';
  if (!secure && !s.startTls && !s.allowPlain) return 'ldap:// without StartTLS sends passwords in clear: use ldaps://, or --start-tls, or allow plain text explicitly (tests on loopback only)';
  return null;
}
