import type { Db } from '../../../store/store.ts';
import type { Principal } from '../../admin-auth.ts';
import { forbidden } from '../../errors.ts';

/**
 * Four-eyes steps name people: who issues a pass or works a case (operator)
 * and who approves (approver). A person signed in to the console acts as
 * themselves, and an API token as the person who owns it: `operator` is filled
 * in with them, an approval is theirs, and naming anyone else is refused. So
 * one person can never satisfy both sides, whatever tokens they hold; the
 * second person approves from their own session or token. Only the command
 * line, run by someone with access to the server, names people (audited as
 * such), and a token from before owners may still name an operator but can
 * approve nothing.
 */
const APPROVALS: Record<string, (params: unknown) => boolean> = {
  approveTap: () => true,
  recordCaseStep: (params) => (params as { step?: string } | null)?.step === 'approve_tap',
};

const TEXT = {
  someoneElse: (field: string) => `You act as yourself here: remove "${field}" (the person signed in, or the token's owner, is recorded).`,
  approverNamed: 'A second person approves with their own console session or token: remove "approver".',
  ownerless: 'An approval is given by a person: this API token has no owner. Sign in to the console, or use a token the approver owns.',
};

interface Acting { id: string; username: string }

async function actingPerson(db: Db, principal: Principal): Promise<Acting | null> {
  if (principal.kind === 'person') return { id: principal.id, username: principal.username };
  if (!principal.ownerId) return null;
  const owner = await db.selectFrom('users').select(['id', 'username']).where('id', '=', principal.ownerId).executeTakeFirst();
  return owner ?? null;
}

function isSelf(value: unknown, person: Acting): boolean {
  return typeof value === 'string' && (value === person.id || value.toLowerCase() === person.username.toLowerCase());
}

/** The body an operation sees: with the acting person filled in (or the naming of someone else refused). */
export async function asActingPerson(
  db: Db, operationId: string, principal: Principal, body: unknown, params: unknown, accepts: (key: string) => boolean,
): Promise<unknown> {
  const approval = APPROVALS[operationId]?.(params) ?? false;
  if (!approval && !accepts('operator') && !accepts('approver')) return body;
  const person = await actingPerson(db, principal);
  if (!person) {
    if (approval && principal.kind === 'token') throw forbidden(TEXT.ownerless);
    return body;
  }
  const out: Record<string, unknown> = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  if ('operator' in out && !isSelf(out.operator, person)) throw forbidden(TEXT.someoneElse('operator'));
  if ('approver' in out && !(approval && isSelf(out.approver, person))) {
    throw forbidden(approval ? TEXT.someoneElse('approver') : TEXT.approverNamed);
  }
  if (approval && accepts('approver')) out.approver = person.username;
  if (accepts('operator')) out.operator = person.username;
  return out;
}
