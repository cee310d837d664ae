import type { Principal } from '../../admin-auth.ts';
import { forbidden } from '../../errors.ts';

/**
 * Four-eyes steps name people: who issues a pass or works a case (operator)
 * and who approves (approver). An API token or the CLI is not a person, so
 * there they are named in the body. A person signed in to the console acts as
 * themselves and nobody else: `operator` is filled in with them, an approval is
 * theirs, and naming anyone else is refused — a second approver approves from
 * their own console session, so one person can never satisfy both sides.
 */
const APPROVALS: Record<string, (params: unknown) => boolean> = {
  approveTap: () => true,
  recordCaseStep: (params) => (params as { step?: string } | null)?.step === 'approve_tap',
};

const TEXT = {
  someoneElse: (field: string) => `In the console you act as yourself: remove "${field}" (the signed-in person is recorded).`,
  approverNamed: 'In the console a second person approves from their own console session: remove "approver".',
};

function isSelf(value: unknown, principal: { id: string; username: string }): boolean {
  return typeof value === 'string' && (value === principal.id || value.toLowerCase() === principal.username.toLowerCase());
}

/** The body an operation sees: for a person, with the acting fields filled in (or refused). */
export function asActingPerson(operationId: string, principal: Principal, body: unknown, params: unknown, accepts: (key: string) => boolean): unknown {
  if (principal.kind !== 'person') return body;
  const out: Record<string, unknown> = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  const approval = APPROVALS[operationId]?.(params) ?? false;
  if ('operator' in out && !isSelf(out.operator, principal)) throw forbidden(TEXT.someoneElse('operator'));
  if ('approver' in out && !(approval && isSelf(out.approver, principal))) {
    throw forbidden(approval ? TEXT.someoneElse('approver') : TEXT.approverNamed);
  }
  if (approval) out.approver = principal.username;
  if (accepts('operator') && !(approval && operationId === 'approveTap')) out.operator = principal.username;
  if (body === undefined && Object.keys(out).length === 0) return undefined;
  return out;
}
