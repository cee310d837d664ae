/**
 * An error a method reports about its input or state (not a bug): the code is
 * stable for callers to map (e.g. to a 400 or 404), the message is safe to show
 * and never holds a secret or code.
 */
export type MethodErrorCode =
  | 'user_not_found'
  | 'not_found'
  | 'password_rejected'
  | 'invalid_secret'
  | 'invalid_label'
  | 'invalid_settings'
  | 'too_many'
  /** The methods policy does not allow this method for this user. */
  | 'method_disabled';

export class MethodError extends Error {
  override name = 'MethodError';
  readonly code: MethodErrorCode;
  constructor(code: MethodErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** setPassword refused the password; `reason` completes "password …" for the user. */
export class PasswordRejectedError extends MethodError {
  override name = 'PasswordRejectedError';
  readonly reason: string;
  constructor(reason: string) {
    super('password_rejected', `password ${reason}`);
    this.reason = reason;
  }
}
