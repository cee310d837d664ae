import { createHmac } from 'node:crypto';
import { groupsOfUser } from '../../directory/groups.ts';
import type { User } from '../../directory/users.ts';
import type { Db } from '../../store/store.ts';
import { NAMEID_FORMAT_URN } from './idp.ts';
import type { SamlNameIdFormat } from './tables.ts';
import { DEFAULT_ATTRIBUTE_MAP, type AttributeMap, type AttributeSource } from './attributes.ts';

/**
 * Who the assertion is about, as the SP is told: the NameID in the SP's
 * format and the attributes its map names (by default e-mail, name and groups). A persistent NameID is an
 * HMAC of the user id and the SP's entity id under a per-deployment secret:
 * stable for one SP, different for every SP, and not guessable from outside.
 */
export interface SamlSubject {
  nameId: string;
  nameIdFormat: string;
  /** Basic-format names, as the SP's attribute map gives them. */
  attributes: Array<{ name: string; values: string[] }>;
}

export class SubjectError extends Error {
  override name = 'SubjectError';
}

export function persistentNameId(secret: Buffer, userId: string, spEntityId: string): string {
  return createHmac('sha256', secret).update(`${spEntityId}\n${userId}`).digest('base64url');
}

export async function samlSubject(
  db: Db, user: User, format: SamlNameIdFormat, spEntityId: string, secret: Buffer, map: AttributeMap = DEFAULT_ATTRIBUTE_MAP,
): Promise<SamlSubject> {
  let nameId: string;
  if (format === 'email') {
    if (!user.email) throw new SubjectError('this service provider identifies people by e-mail address, and your account has none: ask your administrator to add one');
    nameId = user.email;
  } else if (format === 'persistent') nameId = persistentNameId(secret, user.id, spEntityId);
  else nameId = user.username;
  const valuesOf = async (source: AttributeSource): Promise<string[]> => {
    switch (source) {
      case 'email': return user.email ? [user.email] : [];
      case 'name': return [user.displayName ?? user.username];
      case 'username': return [user.username];
      case 'groups': return (await groupsOfUser(db, user.id)).map((g) => g.name);
    }
  };
  const attributes: SamlSubject['attributes'] = [];
  for (const [source, name] of Object.entries(map) as Array<[AttributeSource, string]>) {
    const values = await valuesOf(source);
    if (values.length) attributes.push({ name, values });
  }
  return { nameId, nameIdFormat: NAMEID_FORMAT_URN[format], attributes };
}
