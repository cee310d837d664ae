import { appendFile } from 'node:fs/promises';
import { DeliveryError } from './errors.ts';

/** Appends one line to the audit checkpoint file (created 0600 when missing). */
export async function appendLine(path: string | undefined, line: string): Promise<void> {
  if (!path) throw new DeliveryError('no checkpoint file is configured (TESSERA_AUDIT_CHECKPOINT_FILE)');
  if (/[\r\n]/.test(line)) throw new DeliveryError('a checkpoint is one line', { retry: false });
  try {
    await appendFile(path, `${line}\n`, { mode: 0o600 });
  } catch (err) {
    throw new DeliveryError(`the checkpoint file could not be written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
