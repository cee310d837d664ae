/** A delivery that did not go through; the message is the plain reason kept on the outbox row (never a secret). */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  /** False when trying again cannot help (e.g. the message is malformed). */
  readonly retry: boolean;
  constructor(message: string, options: { retry?: boolean } = {}) {
    super(message);
    this.retry = options.retry ?? true;
  }
}

export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').slice(0, 500);
}
