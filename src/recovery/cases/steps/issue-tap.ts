import { InvalidInputError } from '../../../directory/errors.ts';
import { issueTapIn } from '../../tap/issue.ts';
import type { StepHandler } from './types.ts';

/**
 * A Temporary Access Pass for the person, linked to the case. For a
 * privileged account it waits for a second privileged approver (tap approve).
 */
export const issueTapStep: StepHandler = async (c, input) => {
  if (!input.operator) throw new InvalidInputError('issue_tap needs the person issuing the pass (operator)');
  const issued = await issueTapIn(c.secrets, c.trx, c.record, {
    user: c.kase.user_id,
    operator: input.operator,
    lifetimeMinutes: input.lifetimeMinutes,
    startsAt: input.startsAt,
    multiUse: input.multiUse,
    length: input.length,
    approver: input.approver,
    caseId: c.kase.id,
  }, { ...c.by, now: c.now });
  const t = issued.tap;
  return {
    operatorId: t.issuedBy,
    details: { tapId: t.id, state: t.state, oneTime: t.oneTime, startsAt: t.startsAt, expiresAt: t.expiresAt, needsApproval: t.needsApproval },
    casePatch: { tap_id: t.id },
    output: { pass: issued.pass, tap: t },
  };
};
