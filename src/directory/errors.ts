/**
 * What a directory service refuses, by kind, so each caller (HTTP, CLI)
 * can answer in its own terms: 404, 409, 400 with the message as the reason.
 */
export type DirectoryErrorKind = 'not_found' | 'conflict' | 'refused' | 'invalid';

export class DirectoryError extends Error {
  override name = 'DirectoryError';
  readonly kind: DirectoryErrorKind;
  constructor(kind: DirectoryErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The thing named does not exist. */
export class NotFoundError extends DirectoryError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The thing already exists (a duplicate name, a membership already held). */
export class ConflictError extends DirectoryError {
  override name = 'ConflictError';
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The change is well-formed but would break a rule (e.g. remove the last active global admin). */
export class RefusedError extends DirectoryError {
  override name = 'RefusedError';
  constructor(message: string) {
    super('refused', message);
  }
}

/** The input is not acceptable (e.g. a password that breaks the rules). */
export class InvalidInputError extends DirectoryError {
  override name = 'InvalidInputError';
  constructor(message: string) {
    super('invalid', message);
  }
}

/** Who makes a change, for its audit entry. */
export interface ChangedBy {
  /** "user:<id>", "token:<id>", "cli:<os user>", "system". */
  actor: string;
  requestId?: string | null;
}
