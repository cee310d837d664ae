import type { SigninTransaction } from '../transaction.ts';
import type { SigninGate } from '../../policy/store/signin-gate.ts';

/**
 * What a step returns to the page layer: show the transaction's current step
 * (optionally with a message), or the sign-in is complete.
 */
export type StepOutcome =
  | { kind: 'show'; transaction: SigninTransaction; error?: string; status?: number }
  /** gate: conditional access as evaluated when the sign-in was found complete (null: the user has vanished). */
  | { kind: 'complete'; transaction: SigninTransaction; gate?: SigninGate | null };

export function show(transaction: SigninTransaction, error?: string, status?: number): StepOutcome {
  return { kind: 'show', transaction, error, status };
}

/** Client facts every step may log. */
export interface RequestFacts {
  ip: string;
  userAgent: string | null;
  requestId: string;
}
