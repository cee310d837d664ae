import type { Db, Tx } from '../../store/store.ts';
import { describeOrigin, originOfGroup, originOfUser } from '../../directory/provenance.ts';
import { ScimError } from './errors.ts';

/**
 * A person or group an LDAP source keeps is that source's to change: a SCIM
 * client changing it would be undone by the next sync (and the other way
 * round), so SCIM refuses it with the source's name (RFC 7644 §3.12 mutability).
 */
export async function refuseIfLdapOwned(db: Db | Tx, kind: 'User' | 'Group', id: string): Promise<void> {
  const origin = kind === 'User' ? await originOfUser(db, id) : await originOfGroup(db, id);
  if (origin.kind !== 'ldap') return;
  throw new ScimError(400, `this ${kind} is kept by the ${describeOrigin(origin)}: change it there`, 'mutability');
}
