import { InvalidInputError, RefusedError } from '../../../directory/errors.ts';
import { resolveOperator } from '../../operator.ts';
import { DELIVERY_CHANNELS, REFUSED_CHANNELS } from '../scenarios.ts';
import type { StepHandler } from './types.ts';

/**
 * How the pass reached the person: a phone call, in person, or an encrypted
 * message. Email (and SMS) are refused with the reason, and the refusal is
 * recorded in the case and the audit log.
 */
export const deliverTap: StepHandler = async (c, input) => {
  if (!c.kase.tap_id) throw new InvalidInputError('no pass was issued in this case: skip this step with a reason');
  const channel = input.channel?.toLowerCase().replace(/[\s-]+/g, '_');
  if (!channel) throw new InvalidInputError(`deliver_tap needs a channel, one of: ${DELIVERY_CHANNELS.join(', ')}`);
  const operator = input.operator ? await resolveOperator(c.trx, input.operator) : null;
  const refusal = REFUSED_CHANNELS[channel] ?? (channel === 'e_mail' || channel === 'mail' ? REFUSED_CHANNELS.email : undefined);
  if (refusal) return { refused: refusal, operatorId: operator?.userId ?? null, details: { channel } };
  if (!(DELIVERY_CHANNELS as readonly string[]).includes(channel)) {
    throw new InvalidInputError(`unknown delivery channel ${input.channel}: use one of ${DELIVERY_CHANNELS.join(', ')}`);
  }
  const tap = await c.trx.selectFrom('temporary_access_passes').select(['status']).where('id', '=', c.kase.tap_id).executeTakeFirst();
  if (!tap || tap.status === 'revoked' || tap.status === 'replaced') {
    throw new RefusedError(`the case's pass was ${tap?.status ?? 'removed'}: issue a new one before delivering it`);
  }
  // A pass that does not work yet is not handed over: the person would meet "waiting for approval".
  if (tap.status === 'pending_approval') throw new RefusedError('the pass waits for a second privileged person to approve it (approve_tap): deliver it after that');
  return { operatorId: operator?.userId ?? null, details: { channel, tapId: c.kase.tap_id, notes: input.notes ?? null } };
};
