import { InvalidInputError } from '../../../directory/errors.ts';
import { resolveOperator } from '../../operator.ts';
import { refuseSelf } from '../../tap/issue.ts';
import { IDENTITY_METHODS, type IdentityMethod } from '../scenarios.ts';
import type { StepHandler } from './types.ts';

/**
 * Who is asking? Checked before anything else, by one of a fixed list of
 * methods, by a named person entitled to run recoveries (never the person
 * being recovered).
 */
export const verifyIdentity: StepHandler = async (c, input) => {
  if (!input.operator) throw new InvalidInputError('verify_identity needs the person who verified (operator)');
  if (!input.method || !(IDENTITY_METHODS as readonly string[]).includes(input.method)) {
    throw new InvalidInputError(`verify_identity needs a method, one of: ${IDENTITY_METHODS.join(', ')}`);
  }
  const operator = await resolveOperator(c.trx, input.operator, 'recovery:write');
  refuseSelf(operator, c.kase.user_id, c.by.actor);
  return {
    operatorId: operator.userId,
    details: { method: input.method as IdentityMethod, verifiedBy: operator.username, notes: input.notes ?? null },
  };
};
