import { MethodError } from './errors.ts';

/** A credential's name as the user sees it ("Work phone"): trimmed, short, no control characters. */
export function credentialLabel(input: string | undefined, fallback: string): string {
  const label = (input ?? '').normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (!label) return fallback;
  if ([...label].length > 64) throw new MethodError('invalid_label', 'label must be at most 64 characters');
  if (/\p{Cc}/u.test(label)) throw new MethodError('invalid_label', 'label must not contain control characters');
  return label;
}
