import { AndFilter, ExtensibleFilter, FilterParser, type Client, type Entry, type Filter } from 'ldapts';
import { normalDn } from './dn.ts';
import type { SourceSettings } from './settings.ts';

/**
 * What the directory holds now: its people (with whether each is disabled)
 * and its groups with every person in them, nested groups resolved. Filters
 * are built as filter objects, the configured filter and escaped values
 * combined, never by gluing text (RFC 4515 escaping is the library's).
 */
export interface DirectoryPerson {
  dn: string;
  username: string;
  email: string | null;
  displayName: string | null;
  disabled: boolean;
}

export interface DirectoryGroup {
  dn: string;
  name: string;
  /** Normalised DNs of the people in the group, directly or through nested groups. */
  memberDns: string[];
}

export interface DirectorySnapshot {
  people: DirectoryPerson[];
  groups: DirectoryGroup[];
}

/** AD's LDAP_MATCHING_RULE_IN_CHAIN: memberOf matched through every level of nesting. */
export const IN_CHAIN = '1.2.840.113556.1.4.1941';
/** userAccountControl's ACCOUNTDISABLE bit. */
const ACCOUNT_DISABLED = 2;

// normalDn lives on its own so the sync's planning can use it without loading the LDAP client library.
export { normalDn };

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const v = key ? entry[key] : undefined;
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

const firstValue = (entry: Entry, attribute: string): string | null => values(entry, attribute)[0]?.trim() || null;

async function search(client: Client, base: string, filter: Filter, attributes: string[]): Promise<Entry[]> {
  const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes, paged: { pageSize: 500 } });
  return searchEntries;
}

/** The configured filter and one more condition, as one filter object. */
export const both = (configured: string, extra: Filter): Filter => new AndFilter({ filters: [FilterParser.parseString(configured), extra] });

/** The filter an AD sync asks for a group's people with: in the group at any depth. */
export const inChainFilter = (s: SourceSettings, groupDn: string): Filter =>
  both(s.users.filter, new ExtensibleFilter({ matchType: 'memberOf', rule: IN_CHAIN, value: groupDn }));

async function readPeople(client: Client, s: SourceSettings): Promise<DirectoryPerson[]> {
  const u = s.users;
  const attributes = [u.usernameAttribute, u.emailAttribute, u.displayNameAttribute, 'userAccountControl'];
  const entries = await search(client, u.baseDn, FilterParser.parseString(u.filter), attributes);
  const disabled = new Set<string>();
  if (s.flavor !== 'ad' && u.disabledFilter) {
    for (const e of await search(client, u.baseDn, both(u.filter, FilterParser.parseString(u.disabledFilter)), ['1.1'])) disabled.add(normalDn(e.dn));
  }
  return entries.flatMap((e) => {
    const username = firstValue(e, u.usernameAttribute);
    if (!username) return [];
    const uac = Number(firstValue(e, 'userAccountControl') ?? 0);
    const off = s.flavor === 'ad' ? (uac & ACCOUNT_DISABLED) !== 0 : disabled.has(normalDn(e.dn));
    return [{ dn: e.dn, username, email: firstValue(e, u.emailAttribute), displayName: firstValue(e, u.displayNameAttribute), disabled: off }];
  });
}

/** OpenLDAP keeps nesting as member DNs that name other groups: walked here, each group once. */
function expandMembers(groupDn: string, direct: Map<string, string[]>, people: Set<string>): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (dn: string) => {
    if (seen.has(dn)) return;
    seen.add(dn);
    for (const m of direct.get(dn) ?? []) {
      if (people.has(m)) found.add(m);
      else if (direct.has(m)) walk(m);
    }
  };
  walk(groupDn);
  return [...found].sort();
}

async function readGroups(client: Client, s: SourceSettings, people: DirectoryPerson[]): Promise<DirectoryGroup[]> {
  const g = s.groups;
  if (!g) return [];
  const entries = await search(client, g.baseDn, FilterParser.parseString(g.filter), [g.nameAttribute, g.memberAttribute]);
  const personDns = new Set(people.map((p) => normalDn(p.dn)));
  const direct = new Map(entries.map((e) => [normalDn(e.dn), values(e, g.memberAttribute).map(normalDn)]));
  const out: DirectoryGroup[] = [];
  for (const e of entries) {
    const name = firstValue(e, g.nameAttribute);
    if (!name) continue;
    const memberDns = s.flavor === 'ad'
      ? (await search(client, s.users.baseDn, inChainFilter(s, e.dn), ['1.1'])).map((m) => normalDn(m.dn)).filter((dn) => personDns.has(dn)).sort()
      : expandMembers(normalDn(e.dn), direct, personDns);
    out.push({ dn: e.dn, name, memberDns });
  }
  return out;
}

export async function readDirectory(client: Client, s: SourceSettings): Promise<DirectorySnapshot> {
  const people = await readPeople(client, s);
  return { people, groups: await readGroups(client, s, people) };
}
