import { groupNameSchema } from '../../directory/groups.ts';
import { usernameSchema, usernameKey } from '../../directory/users.ts';
import { normalDn } from './dn.ts';
import type { DirectoryPerson, DirectorySnapshot } from './read.ts';

/**
 * The difference between what the directory holds and what the source owns in
 * Tessera, as a list of changes: pure, so a dry run and a real run plan alike
 * and the plan is what the report lists.
 */
export interface OwnedPerson {
  userId: string;
  username: string;
  email: string | null;
  displayName: string | null;
  status: 'active' | 'disabled';
  dn: string;
  missingSince: string | null;
  offboardedAt: string | null;
}

export interface OwnedGroup {
  groupId: string;
  name: string;
  dn: string;
  /** Usernames, lower-cased. */
  members: string[];
}

export type Change =
  | { kind: 'create'; person: DirectoryPerson }
  | { kind: 'adopt'; person: DirectoryPerson }
  | { kind: 'update'; username: string; dn: string; email?: string | null; displayName?: string | null }
  | { kind: 'disable'; username: string; why: 'disabled in the directory' | 'gone from the directory' }
  | { kind: 'enable'; username: string }
  | { kind: 'returned'; username: string }
  | { kind: 'offboard'; username: string; missingSince: string }
  | { kind: 'group_create'; name: string; dn: string }
  | { kind: 'group_adopt'; name: string; dn: string }
  | { kind: 'member_add'; group: string; username: string }
  | { kind: 'member_remove'; group: string; username: string }
  | { kind: 'skip'; name: string; why: string };

/** What a source owns in Tessera now, and the names it may not take: the other half of a plan (read by state.ts). */
export interface OwnedState {
  people: OwnedPerson[];
  groups: OwnedGroup[];
  /** Lower-cased usernames / group names held by accounts and groups this source does not own. */
  takenUsernames: Set<string>;
  takenGroupNames: Set<string>;
  /** Of the taken names, those of local accounts and groups (no source at all): adopted when `adoptLocal`. */
  localUsernames: Set<string>;
  localGroupNames: Set<string>;
  /** Lower-cased usernames in each local group, by its name key: what an adoption starts from. */
  localGroupMembers: Map<string, string[]>;
}

export interface PlanInput extends OwnedState {
  snapshot: DirectorySnapshot;
  adoptLocal: boolean;
  now: Date;
  offboardAfterDays: number;
}

function planPeople(p: PlanInput, out: Change[]): Set<string> {
  const owned = new Map(p.people.map((o) => [usernameKey(o.username), o]));
  const present = new Set<string>();
  const live = new Set<string>();
  for (const person of p.snapshot.people) {
    const key = usernameKey(person.username);
    if (present.has(key)) { out.push({ kind: 'skip', name: person.username, why: 'two directory entries have this username' }); continue; }
    present.add(key);
    const mine = owned.get(key);
    if (!mine) {
      if (!usernameSchema.safeParse(person.username).success) out.push({ kind: 'skip', name: person.username, why: 'not a username Tessera accepts' });
      else if (p.adoptLocal && p.localUsernames.has(key)) { out.push({ kind: 'adopt', person }); live.add(key); }
      else if (p.takenUsernames.has(key)) out.push({ kind: 'skip', name: person.username, why: 'an account of another source (or a local one) has this username' });
      else { out.push({ kind: 'create', person }); live.add(key); }
      continue;
    }
    live.add(key);
    const update: Extract<Change, { kind: 'update' }> = { kind: 'update', username: mine.username, dn: person.dn };
    if (person.email !== mine.email) update.email = person.email;
    if (person.displayName !== mine.displayName) update.displayName = person.displayName;
    if (update.email !== undefined || update.displayName !== undefined || normalDn(person.dn) !== normalDn(mine.dn)) out.push(update);
    if (mine.missingSince || mine.offboardedAt) out.push({ kind: 'returned', username: mine.username });
    if (person.disabled && mine.status === 'active') out.push({ kind: 'disable', username: mine.username, why: 'disabled in the directory' });
    if (!person.disabled && mine.status === 'disabled') out.push({ kind: 'enable', username: mine.username });
  }
  for (const mine of p.people) {
    if (present.has(usernameKey(mine.username)) || mine.offboardedAt) continue;
    if (!mine.missingSince) { out.push({ kind: 'disable', username: mine.username, why: 'gone from the directory' }); continue; }
    const due = new Date(mine.missingSince).getTime() + p.offboardAfterDays * 86_400_000;
    if (p.now.getTime() >= due) out.push({ kind: 'offboard', username: mine.username, missingSince: mine.missingSince });
  }
  return live;
}

function planGroups(p: PlanInput, live: Set<string>, out: Change[]): void {
  const usernameOfDn = new Map(p.snapshot.people.map((x) => [normalDn(x.dn), usernameKey(x.username)]));
  const ownedByDn = new Map(p.groups.map((g) => [normalDn(g.dn), g]));
  const ownedByName = new Map(p.groups.map((g) => [g.name.toLowerCase(), g]));
  const seen = new Set<string>();
  for (const g of p.snapshot.groups) {
    const mine = ownedByDn.get(normalDn(g.dn)) ?? ownedByName.get(g.name.toLowerCase());
    const name = mine?.name ?? g.name;
    if (!mine) {
      if (!groupNameSchema.safeParse(g.name).success) { out.push({ kind: 'skip', name: g.name, why: 'not a group name Tessera accepts' }); continue; }
      const key = g.name.normalize('NFKC').toLowerCase();
      if (p.adoptLocal && p.localGroupNames.has(key)) out.push({ kind: 'group_adopt', name: g.name, dn: g.dn });
      else if (p.takenGroupNames.has(key)) { out.push({ kind: 'skip', name: g.name, why: 'a group of another source (or a local one) has this name' }); continue; }
      else out.push({ kind: 'group_create', name: g.name, dn: g.dn });
    }
    seen.add(name.toLowerCase());
    const want = new Set(g.memberDns.map((dn) => usernameOfDn.get(dn)).filter((u): u is string => !!u && live.has(u)));
    const have = new Set(mine?.members ?? p.localGroupMembers.get(g.name.normalize('NFKC').toLowerCase()) ?? []);
    for (const u of [...want].sort()) if (!have.has(u)) out.push({ kind: 'member_add', group: name, username: u });
    for (const u of [...have].sort()) if (!want.has(u)) out.push({ kind: 'member_remove', group: name, username: u });
  }
  // A group gone from the directory is emptied, not deleted: policies may still name it.
  for (const g of p.groups) {
    if (seen.has(g.name.toLowerCase())) continue;
    for (const u of g.members) out.push({ kind: 'member_remove', group: g.name, username: u });
  }
}

export function planSync(p: PlanInput): Change[] {
  const out: Change[] = [];
  const live = planPeople(p, out);
  planGroups(p, live, out);
  // Offboarding last: memberships are settled first, and a failed offboarding leaves the rest applied.
  return [...out.filter((c) => c.kind !== 'offboard'), ...out.filter((c) => c.kind === 'offboard')];
}
