import { z } from 'zod';

/**
 * What an assertion may say about a person, and under which attribute name
 * each service provider wants it: apps differ ("mail" or an OID URN for the
 * e-mail address, "memberOf" for groups). A provider is sent exactly the
 * attributes its map names; the default is email, name and groups.
 */
export const ATTRIBUTE_SOURCES = ['email', 'name', 'username', 'groups'] as const;
export type AttributeSource = (typeof ATTRIBUTE_SOURCES)[number];
export type AttributeMap = Partial<Record<AttributeSource, string>>;

export const DEFAULT_ATTRIBUTE_MAP: AttributeMap = { email: 'email', name: 'name', groups: 'groups' };

// A Name attribute: basic names, URIs and URNs, without spaces or markup.
const attributeName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:/#-]{0,255}$/, 'an attribute name is a letter or _ followed by letters, digits and _ . : / # - (at most 256)');

export const attributeMapSchema = z
  .partialRecord(z.enum(ATTRIBUTE_SOURCES), attributeName)
  .refine((m) => new Set(Object.values(m)).size === Object.values(m).length, 'two attributes cannot have the same name');

/** The map stored with a provider; a damaged one falls back to the default rather than failing a sign-in. */
export function readAttributeMap(json: string): AttributeMap {
  const parsed = attributeMapSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : DEFAULT_ATTRIBUTE_MAP;
}

/** `--attribute email=mail` (the source, then the name the provider wants), as the CLI takes it. */
export function parseAttributeOption(values: readonly string[]): AttributeMap {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const source = v.slice(0, eq);
    if (eq < 1 || !(ATTRIBUTE_SOURCES as readonly string[]).includes(source)) {
      throw new Error(`--attribute takes <source>=<name>, the source one of ${ATTRIBUTE_SOURCES.join(', ')}: got "${v}"`);
    }
    out[source] = v.slice(eq + 1);
  }
  return out;
}
