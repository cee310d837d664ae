import { z } from 'zod';
import { ScimError } from './errors.ts';
import { ENTERPRISE_SCHEMA } from './schemas.ts';

/**
 * The attributes a client sends, checked. Attribute names are matched
 * without regard to case (RFC 7643 §2.1); readOnly attributes (id, meta,
 * groups on a User) are ignored as RFC 7644 §3.5.1 asks.
 */
const text = (max: number) => z.string().trim().max(max);
// Some clients send booleans as the strings "True" and "False".
const bool = z.union([z.boolean(), z.string().transform((s, ctx) => {
  const v = s.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  ctx.addIssue({ code: 'custom', message: 'must be true or false' });
  return z.NEVER;
})]);

export const enterpriseSchema = z.object({
  employeeNumber: text(64).nullish(),
  costCenter: text(128).nullish(),
  organization: text(128).nullish(),
  division: text(128).nullish(),
  department: text(128).nullish(),
  manager: z.object({ value: text(256).nullish(), displayName: text(128).nullish() }).nullish(),
});

const userSchema = z.object({
  externalId: text(256).nullish(),
  userName: z.string({ error: 'userName is required' }),
  name: z.object({ formatted: text(128).nullish(), givenName: text(64).nullish(), familyName: text(64).nullish() }).nullish(),
  displayName: text(128).nullish(),
  title: text(128).nullish(),
  active: bool.optional(),
  emails: z.array(z.object({ value: z.string(), type: z.string().nullish(), primary: bool.nullish() })).max(10).nullish(),
  [ENTERPRISE_SCHEMA]: enterpriseSchema.nullish(),
});
export type ScimUserInput = z.infer<typeof userSchema>;

const memberSchema = z.object({ value: z.string().min(1), type: z.string().nullish() });
const groupSchema = z.object({
  externalId: text(256).nullish(),
  displayName: z.string({ error: 'displayName is required' }),
  members: z.array(memberSchema).max(10_000).nullish(),
});
export type ScimGroupInput = z.infer<typeof groupSchema>;

const USER_KEYS = ['externalId', 'userName', 'name', 'displayName', 'title', 'active', 'emails', ENTERPRISE_SCHEMA];
const GROUP_KEYS = ['externalId', 'displayName', 'members'];

/** Renames the known attributes to their canonical case and drops the rest. */
function canonical(body: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ScimError(400, 'the body must be a JSON object', 'invalidSyntax');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const known = keys.find((c) => c.toLowerCase() === k.toLowerCase());
    if (known) out[known] = v;
    else if (k.toLowerCase() === 'password') throw new ScimError(400, 'Tessera does not take passwords over SCIM: people set their own, or the helpdesk issues a Temporary Access Pass', 'mutability');
  }
  return out;
}

function check<T>(schema: z.ZodType<T>, body: Record<string, unknown>): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ScimError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalidValue');
  }
  return r.data;
}

export const readUserInput = (body: unknown): ScimUserInput => check(userSchema, canonical(body, USER_KEYS));
export const readGroupInput = (body: unknown): ScimGroupInput => check(groupSchema, canonical(body, GROUP_KEYS));

/** The address Tessera keeps: the primary one, else a work one, else the first. */
export function chosenEmail(emails: ScimUserInput['emails']): string | null {
  if (!emails?.length) return null;
  return (emails.find((e) => e.primary) ?? emails.find((e) => e.type === 'work') ?? emails[0]!).value;
}
