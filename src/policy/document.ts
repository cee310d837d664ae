import { z } from 'zod';

/**
 * Conditional-access policies as JSON documents: what an administrator writes,
 * reviews in version control and imports. The zod schemas here validate every
 * document that enters the system and generate the published JSON Schema, so
 * the two cannot drift apart. Pure: no I/O.
 *
 * People are named by username, groups by name, apps by OIDC client id, so a
 * document reads the same in review as in the directory. Users and groups are
 * only ever included here: excluding a person or a group is an exception (see
 * ./exception-rules.ts), which has an end date, a reason and an approver.
 */

/** The account portal (/account): the app id for sign-ins that no OIDC client started. */
export const PORTAL_APP = 'tessera:portal';

export const POLICY_STATES = ['enabled', 'reportOnly', 'disabled'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export const CLIENT_TYPES = ['browser', 'radius', 'saml', 'service'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

export const RISK_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Methods a "registered methods" condition may name (the password is everybody's). */
export const SECOND_FACTOR_METHODS = ['totp', 'backup_code', 'webauthn', 'push', 'sms', 'voice', 'tap'] as const;

const name = z.string().trim().min(1, 'must not be empty').max(128);
const ref = z.string().trim().min(1, 'must not be empty').max(128);
const refs = z.array(ref).max(1000);
const allOr = <T extends z.ZodType>(list: T) => z.union([z.literal('all'), list]);

const assignmentsSchema = z
  .strictObject({
    users: z
      .strictObject({ include: allOr(refs).default([]).describe('"all", or usernames') })
      .default({ include: [] })
      .describe('People the policy targets. Excluding a person is an exception with an end date, never part of the policy.'),
    groups: z
      .strictObject({ include: refs.default([]).describe('Group names') })
      .default({ include: [] })
      .describe('Groups whose members the policy targets. Excluding a group is an exception with an end date.'),
    roles: z
      .strictObject({ include: refs.default([]), exclude: refs.default([]) })
      .default({ include: [], exclude: [] })
      .describe('Administrative roles (global_admin, security_admin, helpdesk, auditor)'),
    apps: z
      .strictObject({
        include: allOr(refs).default('all').describe(`"all", or OIDC client ids; ${PORTAL_APP} is the account portal`),
        exclude: refs.default([]),
      })
      .default({ include: 'all', exclude: [] }),
  })
  .describe('Who and what the policy is about: a person is targeted when included as a user, through a group or through a role, and no excluded role holds.');

const riskList = z.array(z.enum(['low', 'medium', 'high'])).min(1).max(3);

const conditionsSchema = z
  .strictObject({
    locations: z
      .strictObject({
        include: allOr(refs).default('all').describe('"all", or named-location names'),
        exclude: refs.default([]),
      })
      .optional()
      .describe('Where the sign-in comes from, by named location (IP ranges or countries)'),
    clientTypes: z.array(z.enum(CLIENT_TYPES)).min(1).max(4).optional().describe('Applies only to these kinds of client'),
    device: z
      .strictObject({
        managed: z.boolean().optional(),
        compliant: z.boolean().optional(),
      })
      .optional()
      .describe('Applies only when the device matches (an unknown device counts as unmanaged and not compliant)'),
    signInRisk: riskList.optional().describe('Applies only at these sign-in risk levels'),
    userRisk: riskList.optional().describe('Applies only at these user risk levels'),
    registeredMethods: z
      .strictObject({ anyOf: z.array(z.enum(SECOND_FACTOR_METHODS)).min(1) })
      .optional()
      .describe('Applies only to people who have registered at least one of these methods'),
  })
  .default({});

const grantSchema = z.union([
  z.strictObject({ block: z.literal(true) }).describe('Refuse the sign-in'),
  z
    .strictObject({
      strength: ref.optional().describe('Authentication strength id: mfa, passwordless_mfa, phishing_resistant_mfa or a custom one'),
      compliantDevice: z.boolean().optional().describe('Require a device the MDM reports compliant'),
      operator: z.enum(['all', 'any']).default('all').describe('all: every control; any: one of them'),
    })
    .refine((g) => g.strength !== undefined || g.compliantDevice === true, 'a grant needs block, a strength or compliantDevice'),
]);

const sessionSchema = z.strictObject({
  signInFrequencyHours: z.number().int().min(1).max(8760).optional().describe('Ask again after this many hours'),
  idleMinutes: z.number().int().min(1).max(1440).optional().describe('Ask again when the session was idle this many minutes (where the app reports activity)'),
  persistentSession: z.literal(false).optional().describe('false: the session ends when the browser closes'),
});

export const policyDocumentSchema = z
  .strictObject({
    $schema: z.string().max(512).optional(),
    id: z.uuid().optional().describe('Kept across export and import; absent for a new policy'),
    name,
    description: z.string().max(2000).optional(),
    state: z.enum(POLICY_STATES).default('reportOnly'),
    enforceFrom: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('Until this time an enabled policy only reports what it would do (staged roll-out)'),
    assignments: assignmentsSchema,
    conditions: conditionsSchema,
    grant: grantSchema.optional().describe('What an applying policy demands; absent for a policy of session controls only'),
    session: sessionSchema.optional(),
  })
  .refine((p) => p.grant !== undefined || p.session !== undefined, 'a policy needs a grant or session controls')
  .describe('A Tessera conditional-access policy');

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;
export type Grant = NonNullable<PolicyDocument['grant']>;

export const namedLocationSchema = z
  .strictObject({
    name,
    ipRanges: z.array(z.string().trim().min(2).max(64)).max(10_000).optional().describe('CIDR blocks or single addresses, IPv4 or IPv6'),
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CH'))
      .max(250)
      .optional()
      .describe('Countries, from the offline GeoIP database'),
    trusted: z.boolean().default(false),
  })
  .refine((l) => (l.ipRanges?.length ?? 0) + (l.countries?.length ?? 0) > 0, 'a named location needs ipRanges or countries');
export type NamedLocation = z.output<typeof namedLocationSchema>;

/** What export writes and import reads: named locations and policies together. */
export const policyBundleSchema = z
  .strictObject({
    $schema: z.string().max(512).optional(),
    namedLocations: z.array(namedLocationSchema).default([]),
    policies: z.array(policyDocumentSchema).max(1000),
  })
  .describe('Tessera conditional-access policies and the named locations they use');
export type PolicyBundle = z.output<typeof policyBundleSchema>;

/** The published JSON Schema (served at /api/policy.schema.json, written to docs/policy.schema.json). */
export function policyJsonSchema(): Record<string, unknown> {
  const bundle = z.toJSONSchema(policyBundleSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...bundle,
    $id: 'urn:tessera:schema:policy:1',
    title: 'Tessera conditional-access policies',
  };
}
