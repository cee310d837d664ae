import type { SigninTransaction } from '../transaction.ts';

/**
 * What a step returns to the page layer: show the transaction's current step
 * (optionally with a message), or the sign-in is complete.
 */
export type StepOutcome =
  | { kind: 'show'; transaction: SigninTransaction; error?: string; status?: number }
  | { kind: 'complete'; transaction: SigninTransaction };

export function show(transaction: SigninTransaction, error?: string, status?: number): StepOutcome {
  return { kind: 'show', transaction, error, status };
}

/** Client facts every step may log. */
export interface RequestFacts {
  ip: string;
  userAgent: string | null;
  requestId: string;
}
