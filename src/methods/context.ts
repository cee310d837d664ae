import type { AppContext } from '../app/context.ts';

/** What the method services need: the store, and the key that seals secrets at rest. */
export type MethodContext = Pick<AppContext, 'store' | 'secrets'>;

/** Enrolment also names the server in the authenticator app (from the issuer URL). */
export type EnrolmentContext = MethodContext & { config: Pick<AppContext['config'], 'issuer'> };

/** Who made a change, for the audit log. */
export interface ChangeOptions {
  actor: string;
  requestId?: string | null;
  /** The client address (kept for the caller's convenience; changes are not throttled). */
  ip?: string;
  now?: Date;
}
