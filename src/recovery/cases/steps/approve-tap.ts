import { InvalidInputError } from '../../../directory/errors.ts';
import { approveTapIn } from '../../tap/approve.ts';
import type { StepHandler } from './types.ts';

/**
 * Four-eyes, as a step of its own: the case's pass for a privileged account
 * works only once a second privileged person (not its issuer, not its holder)
 * approves it. `tap approve` on the case's pass records this step as well.
 */
export const approveTapStep: StepHandler = async (c, input) => {
  if (!c.kase.tap_id) throw new InvalidInputError('no pass was issued in this case');
  if (!input.operator) throw new InvalidInputError('approve_tap needs the second person approving the pass (operator)');
  const { tap, approver } = await approveTapIn(c.trx, c.record, c.kase.tap_id, input.operator, c.by, c.now);
  return { operatorId: approver.userId, details: { tapId: tap.id, approvedBy: approver.username, notes: input.notes ?? null } };
};
