import type { SigninTransaction } from '../transaction.ts';
import type { AccessDecision } from '../../policy/access/request.ts';

/**
 * What a step returns to the page layer: show the transaction's current step
 * (optionally with a message), or the sign-in is complete.
 */
export type StepOutcome =
  | { kind: 'show'; transaction: SigninTransaction; error?: string; status?: number }
  /** decision: the access decision that allowed the sign-in, made for the transaction's address. */
  | { kind: 'complete'; transaction: SigninTransaction; decision: AccessDecision };

export function show(transaction: SigninTransaction, error?: string, status?: number): StepOutcome {
  return { kind: 'show', transaction, error, status };
}

/** Client facts every step may log. */
export interface RequestFacts {
  ip: string;
  userAgent: string | null;
  requestId: string;
}
