import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The organisation's name and logo on the sign-in pages, the account page and
 * the console. The logo file is read and checked once, when the configuration
 * is loaded, so a wrong path or an unusable file stops start-up with one line.
 */
export const brandingSchema = {
  TESSERA_ORG_NAME: z
    .string()
    .trim()
    .min(1)
    .max(80, 'must be at most 80 characters')
    .refine((v) => !/\p{Cc}/u.test(v), 'must not contain control characters')
    .optional(),
  /** A PNG or SVG file. */
  TESSERA_ORG_LOGO: z.string().min(1).optional(),
};

export interface BrandingLogo {
  contentType: 'image/png' | 'image/svg+xml';
  data: Buffer;
  /** The first hex digits of the file's SHA-256: part of its URL, so a new file is a new URL. */
  version: string;
}

export interface BrandingConfig {
  name: string;
  logo?: BrandingLogo;
}

export const DEFAULT_ORG_NAME = 'Tessera';
const MAX_LOGO_BYTES = 512 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// An SVG is a document that can run script if opened on its own; a logo needs none of this.
const SVG_ACTIVE_CONTENT = /<script|<foreignObject|\son[a-z]+\s*=|javascript:|<!ENTITY/i;

function logoType(data: Buffer): BrandingLogo['contentType'] | string {
  if (data.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  const text = data.toString('utf8');
  if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) return 'is neither a PNG nor an SVG file';
  if (SVG_ACTIVE_CONTENT.test(text)) return 'is an SVG with scripts, event handlers or entities; save it as a plain SVG or a PNG';
  return 'image/svg+xml';
}

function readLogo(path: string, fail: (message: string) => never): BrandingLogo {
  const file = resolve(path);
  let data: Buffer;
  try {
    if (statSync(file).size > MAX_LOGO_BYTES) fail(`TESSERA_ORG_LOGO: ${file} is larger than ${MAX_LOGO_BYTES / 1024} KiB`);
    data = readFileSync(file);
  } catch (err) {
    fail(`TESSERA_ORG_LOGO: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const type = logoType(data);
  if (type !== 'image/png' && type !== 'image/svg+xml') fail(`TESSERA_ORG_LOGO: ${file} ${type}`);
  return { contentType: type, data, version: createHash('sha256').update(data).digest('hex').slice(0, 16) };
}

export function brandingConfig(
  raw: { TESSERA_ORG_NAME?: string; TESSERA_ORG_LOGO?: string },
  fail: (message: string) => never,
): BrandingConfig {
  const name = raw.TESSERA_ORG_NAME ?? DEFAULT_ORG_NAME;
  return raw.TESSERA_ORG_LOGO ? { name, logo: readLogo(raw.TESSERA_ORG_LOGO, fail) } : { name };
}
