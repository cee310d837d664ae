import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Store, Tx } from '../store/store.ts';
import { auditedChange, type RecordAudit } from '../audit/append.ts';
import { CsvSyntaxError, formatCsv, parseCsv } from './csv.ts';
import { groupNameSchema } from './groups.ts';
import { insertUser, toUser, usernameKey, usernameSchema, USER_KINDS } from './users.ts';
import type { UserKind } from './tables.ts';
import type { ChangedBy } from './errors.ts';
import { importSourceConflicts } from './provenance.ts';

/**
 * People and groups from a CSV file: a header row names the columns
 * (username and email at least; display name, kind and groups optional). Every
 * line is checked before anything is written, and a file with any bad line
 * imports nothing; the rest goes in one audited transaction. People already
 * there are updated; groups named and not there are created; memberships are
 * added, never removed.
 */
const COLUMNS = { username: 'username', email: 'email', displayname: 'displayName', kind: 'kind', groups: 'groups' } as const;
type Column = (typeof COLUMNS)[keyof typeof COLUMNS];
export const CSV_HEADER = ['username', 'email', 'display_name', 'kind', 'groups'];
/** Groups in one cell are separated by semicolons (a group name cannot hold one). */
const GROUP_SEPARATOR = ';';

export interface ImportRow {
  line: number;
  username: string;
  email: string | null;
  displayName: string | null | undefined;
  kind: UserKind | undefined;
  groups: string[];
}

export interface LineError {
  line: number;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** Non-empty: nothing was imported. */
  errors: LineError[];
  created: string[];
  updated: string[];
  unchanged: string[];
  groupsCreated: string[];
  membershipsAdded: number;
}

const emailSchema = z.email('must be an email address').max(254);
const displayNameSchema = z.string().trim().max(128, 'must be at most 128 characters');

function firstIssue(r: { success: false; error: z.ZodError }): string {
  return r.error.issues[0]?.message ?? 'is not valid';
}

/** Reads and checks every line; returns the rows, or every error by line number. */
export function readImportFile(text: string): { rows: ImportRow[]; errors: LineError[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { rows: [], errors: [{ line: err.line, message: err.message }] };
    throw err;
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ line: 1, message: 'the file is empty; the first line must name the columns, e.g. username,email' }] };
  const columns: Column[] = [];
  const errors: LineError[] = [];
  for (const name of header.fields) {
    const col = COLUMNS[name.trim().toLowerCase().replace(/[\s_-]/g, '') as keyof typeof COLUMNS];
    if (!col) errors.push({ line: 1, message: `unknown column "${name}"; the columns are ${CSV_HEADER.join(', ')}` });
    else if (columns.includes(col)) errors.push({ line: 1, message: `the column ${name} is named twice` });
    else columns.push(col);
  }
  for (const needed of ['username', 'email'] as const) if (!columns.includes(needed)) errors.push({ line: 1, message: `the header must name the ${needed} column` });
  if (errors.length) return { rows: [], errors };
  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  for (const rec of body) {
    const fail = (message: string) => errors.push({ line: rec.line, message });
    if (rec.fields.length !== columns.length) {
      fail(`has ${rec.fields.length} fields; the header names ${columns.length}`);
      continue;
    }
    const v = Object.fromEntries(columns.map((c, i) => [c, rec.fields[i]!.trim()])) as Partial<Record<Column, string>>;
    const username = usernameSchema.safeParse(v.username);
    if (!username.success) fail(`username: ${firstIssue(username)}`);
    const email = v.email ? emailSchema.safeParse(v.email) : null;
    if (email && !email.success) fail(`email: ${v.email} ${firstIssue(email)}`);
    const display = v.displayName === undefined ? null : displayNameSchema.safeParse(v.displayName);
    if (display && !display.success) fail(`display name: ${firstIssue(display)}`);
    const kind = v.kind ? z.enum(USER_KINDS).safeParse(v.kind) : null;
    if (kind && !kind.success) fail(`kind: must be one of ${USER_KINDS.join(', ')}`);
    const groups = (v.groups ?? '').split(GROUP_SEPARATOR).map((g) => g.trim()).filter(Boolean);
    for (const g of groups) {
      const r = groupNameSchema.safeParse(g);
      if (!r.success) fail(`group "${g}": ${firstIssue(r)}`);
    }
    if (username.success) {
      const key = usernameKey(username.data);
      const earlier = seen.get(key);
      if (earlier) fail(`${username.data} is already on line ${earlier}`);
      else seen.set(key, rec.line);
    }
    if (errors.some((e) => e.line === rec.line)) continue;
    rows.push({
      line: rec.line,
      username: username.data!,
      email: email?.data ?? null,
      displayName: display === null ? undefined : display.data || null,
      kind: kind?.data,
      groups,
    });
  }
  return { rows, errors };
}

const groupKey = (name: string) => name.normalize('NFKC').toLowerCase();

/** Applies the rows in `trx` (or, for a dry run, only works out what would change). */
async function apply(db: Db | Tx, rows: ImportRow[], by: ChangedBy, tx: { trx: Tx; record: RecordAudit } | null): Promise<ImportReport> {
  const write = tx?.record;
  const report: ImportReport = { dryRun: tx === null, errors: [], created: [], updated: [], unchanged: [], groupsCreated: [], membershipsAdded: 0 };
  const groups = new Map((await db.selectFrom('groups').select(['id', 'name', 'name_key']).execute()).map((g) => [g.name_key, g.id]));
  const members = new Set((await db.selectFrom('group_members').select(['group_id', 'user_id']).execute()).map((m) => `${m.group_id}/${m.user_id}`));
  const now = () => new Date().toISOString();
  for (const row of rows) {
    const existing = await db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(row.username)).executeTakeFirst();
    let userId: string;
    if (!existing) {
      userId = randomUUID();
      if (write) {
        const user = await insertUser(tx!.trx, { username: row.username, email: row.email, displayName: row.displayName ?? null, kind: row.kind ?? 'person' });
        userId = user.id;
        await write({ actor: by.actor, action: 'user.create', target: `user:${user.id}`, requestId: by.requestId, after: { ...user, via: 'csv_import' } });
      }
      report.created.push(row.username);
    } else {
      userId = existing.id;
      const before = toUser(existing);
      const set = {
        ...(row.email !== before.email ? { email: row.email } : {}),
        ...(row.displayName !== undefined && row.displayName !== before.displayName ? { display_name: row.displayName } : {}),
        ...(row.kind !== undefined && row.kind !== before.kind ? { kind: row.kind } : {}),
      };
      if (Object.keys(set).length === 0) report.unchanged.push(before.username);
      else {
        report.updated.push(before.username);
        if (write) {
          const updatedAt = now();
          await tx!.trx.updateTable('users').set({ ...set, updated_at: updatedAt }).where('id', '=', before.id).execute();
          const after = toUser({ ...existing, ...set, updated_at: updatedAt });
          await write({ actor: by.actor, action: 'user.update', target: `user:${before.id}`, requestId: by.requestId, before, after: { ...after, via: 'csv_import' } });
        }
      }
    }
    for (const name of row.groups) {
      let groupId = groups.get(groupKey(name));
      if (!groupId) {
        groupId = randomUUID();
        groups.set(groupKey(name), groupId);
        report.groupsCreated.push(name);
        if (write) {
          const g = { id: groupId, name, name_key: groupKey(name), description: null, created_at: now() };
          await tx!.trx.insertInto('groups').values(g).execute();
          await write({ actor: by.actor, action: 'group.create', target: `group:${groupId}`, requestId: by.requestId, after: { id: groupId, name, via: 'csv_import' } });
        }
      }
      if (members.has(`${groupId}/${userId}`)) continue;
      members.add(`${groupId}/${userId}`);
      report.membershipsAdded++;
      if (write) {
        await tx!.trx.insertInto('group_members').values({ group_id: groupId, user_id: userId, added_at: now() }).execute();
        await write({ actor: by.actor, action: 'group.member.add', target: `group:${groupId}`, requestId: by.requestId, after: { user_id: userId, username: row.username } });
      }
    }
  }
  return report;
}

export async function importUsersCsv(store: Store, text: string, by: ChangedBy, options: { dryRun?: boolean } = {}): Promise<ImportReport> {
  const { rows, errors } = readImportFile(text);
  // What an LDAP source or a SCIM client provides is changed there: such a line is an error like any other.
  errors.push(...(await importSourceConflicts(store.db, rows)));
  if (errors.length) return { dryRun: !!options.dryRun, errors, created: [], updated: [], unchanged: [], groupsCreated: [], membershipsAdded: 0 };
  if (options.dryRun) return apply(store.db, rows, by, null);
  return auditedChange(store, async (trx, record) => {
    const report = await apply(trx, rows, by, { trx, record });
    const { created, updated, groupsCreated, membershipsAdded } = report;
    await record({ actor: by.actor, action: 'directory.import', target: 'directory', requestId: by.requestId, after: { lines: rows.length, created: created.length, updated: updated.length, groupsCreated: groupsCreated.length, membershipsAdded } });
    return report;
  });
}

/** Everyone, in the import's format: a file export writes, import reads back. */
export async function exportUsersCsv(db: Db | Tx): Promise<string> {
  const users = await db.selectFrom('users').selectAll().orderBy('username_key').execute();
  const memberships = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select(['group_members.user_id', 'groups.name']).orderBy('groups.name_key').execute();
  const groupsOf = new Map<string, string[]>();
  for (const m of memberships) groupsOf.set(m.user_id, [...(groupsOf.get(m.user_id) ?? []), m.name]);
  return formatCsv([CSV_HEADER, ...users.map((u) => [u.username, u.email ?? '', u.display_name ?? '', u.kind, (groupsOf.get(u.id) ?? []).join(GROUP_SEPARATOR)])]);
}
