import { InvalidInputError } from '../../directory/errors.ts';
import { MAX_METADATA_BYTES } from './service-providers.ts';

/**
 * An SP's metadata fetched from the URL its vendor publishes it at (for
 * `tessera saml sp add --metadata-url`): http(s) only, ten seconds at most,
 * and no more than the size metadata may have. What comes back is checked
 * like a file would be when it is registered.
 */
const TIMEOUT_MS = 10_000;

export async function fetchMetadata(url: string): Promise<string> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new InvalidInputError('--metadata-url is not a URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new InvalidInputError('--metadata-url must be an http(s) URL');
  let res: Response;
  try {
    res = await fetch(target, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow', headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  } catch (err) {
    throw new InvalidInputError(`could not fetch the metadata from ${target.href}: ${(err as Error).name === 'TimeoutError' ? 'no answer within 10 seconds' : (err as Error).message}`);
  }
  if (!res.ok) throw new InvalidInputError(`could not fetch the metadata from ${target.href}: HTTP ${res.status}`);
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_METADATA_BYTES) {
      await reader.cancel();
      throw new InvalidInputError('the metadata at that URL is larger than 256 KiB');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
