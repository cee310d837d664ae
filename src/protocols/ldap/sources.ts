import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { auditedChange } from '../../audit/append.ts';
import type { SecretBox } from '../../config/secret-box.ts';
import { ConflictError, InvalidInputError, NotFoundError, type ChangedBy } from '../../directory/errors.ts';
import type { Db, Store, Tx } from '../../store/store.ts';
import { sourceSettingsSchema, transportProblem, withFlavorDefaults, type SourceSettings } from './settings.ts';
import type { LdapSourcesTable } from './tables.ts';

/**
 * Directory sources: an LDAP or Active Directory server whose people and
 * groups Tessera syncs. The bind account's password is sealed with the master
 * key and never leaves the store in the clear, nor goes into the audit log.
 */
export const BIND_SECRET_PURPOSE = 'ldap-bind-password';
/** The actor of every change a source's sync makes. */
export const actorOf = (name: string) => `ldap:${name}`;

export const sourceNameSchema = z.string().trim().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/i, 'use letters, digits, ".", "-" or "_" (at most 63)');

export const newSourceSchema = z.strictObject({
  name: sourceNameSchema,
  bindPassword: z.string().min(1, 'the bind account needs a password').max(1024),
  settings: sourceSettingsSchema,
});
export type NewSource = z.input<typeof newSourceSchema>;

export interface DirectorySource {
  id: string;
  name: string;
  settings: SourceSettings;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export function toSource(r: LdapSourcesTable): DirectorySource {
  const settings = withFlavorDefaults(sourceSettingsSchema.parse(JSON.parse(r.settings)));
  return { id: r.id, name: r.name, settings, createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at };
}

export async function addSource(store: Store, secrets: SecretBox, input: NewSource, by: ChangedBy): Promise<DirectorySource> {
  const parsed = newSourceSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(`${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  const { name, bindPassword, settings } = parsed.data;
  const problem = transportProblem(settings);
  if (problem) throw new InvalidInputError(problem);
  const now = new Date().toISOString();
  const row: LdapSourcesTable = {
    id: randomUUID(), name, name_key: name.toLowerCase(), settings: JSON.stringify(settings),
    bind_password_sealed: secrets.seal(bindPassword, BIND_SECRET_PURPOSE), created_at: now, created_by: by.actor, updated_at: now,
  };
  return auditedChange(store, async (trx, record) => {
    if (await findSourceRow(trx, name)) throw new ConflictError(`a directory source named ${name} already exists`);
    await trx.insertInto('ldap_sources').values(row).execute();
    const source = toSource(row);
    // The settings hold no secret; the bind password stays out of the entry.
    await record({ actor: by.actor, action: 'directory.source.add', target: `ldap:${row.id}`, requestId: by.requestId, after: source });
    return source;
  });
}

function findSourceRow(db: Db | Tx, ref: string): Promise<LdapSourcesTable | undefined> {
  return db.selectFrom('ldap_sources').selectAll().where((eb) => eb.or([eb('id', '=', ref), eb('name_key', '=', ref.toLowerCase())])).executeTakeFirst();
}

export async function getSource(db: Db | Tx, ref: string): Promise<DirectorySource> {
  const row = await findSourceRow(db, ref);
  if (!row) throw new NotFoundError(`no directory source ${ref}`);
  return toSource(row);
}

export async function listSources(db: Db | Tx): Promise<DirectorySource[]> {
  return (await db.selectFrom('ldap_sources').selectAll().orderBy('name_key').execute()).map(toSource);
}

export const sourceUpdateSchema = z.strictObject({
  settings: sourceSettingsSchema,
  bindPassword: z.string().min(1).max(1024).optional().describe('A new bind password; the stored one is kept without it'),
});
export type SourceUpdate = z.input<typeof sourceUpdateSchema>;

/** Replaces a source's settings (and, when given, its bind password); the people and groups it owns stay its own. */
export async function updateSource(store: Store, secrets: SecretBox, ref: string, input: SourceUpdate, by: ChangedBy): Promise<DirectorySource> {
  const parsed = sourceUpdateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(`${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  const problem = transportProblem(parsed.data.settings);
  if (problem) throw new InvalidInputError(problem);
  const sealed = parsed.data.bindPassword === undefined ? undefined : secrets.seal(parsed.data.bindPassword, BIND_SECRET_PURPOSE);
  return auditedChange(store, async (trx, record) => {
    const row = await findSourceRow(trx, ref);
    if (!row) throw new NotFoundError(`no directory source ${ref}`);
    const now = new Date().toISOString();
    const next: LdapSourcesTable = { ...row, settings: JSON.stringify(parsed.data.settings), updated_at: now, ...(sealed ? { bind_password_sealed: sealed } : {}) };
    await trx.updateTable('ldap_sources').set({ settings: next.settings, bind_password_sealed: next.bind_password_sealed, updated_at: now }).where('id', '=', row.id).execute();
    const after = toSource(next);
    await record({ actor: by.actor, action: 'directory.source.update', target: `ldap:${row.id}`, requestId: by.requestId, before: toSource(row), after: { ...after, bindPasswordChanged: !!sealed } });
    return after;
  });
}

/** The bind password, opened for a connection; never logged. */
export async function bindPasswordOf(db: Db | Tx, secrets: SecretBox, sourceId: string): Promise<string> {
  const row = await db.selectFrom('ldap_sources').select('bind_password_sealed').where('id', '=', sourceId).executeTakeFirstOrThrow();
  return secrets.open(row.bind_password_sealed, BIND_SECRET_PURPOSE).toString('utf8');
}

/**
 * Removes a source. Its people and groups stay as local ones (their
 * attributes become editable again); nobody is disabled or offboarded by it.
 */
export async function removeSource(store: Store, ref: string, by: ChangedBy): Promise<DirectorySource> {
  return auditedChange(store, async (trx, record) => {
    const row = await findSourceRow(trx, ref);
    if (!row) throw new NotFoundError(`no directory source ${ref}`);
    const people = await trx.deleteFrom('ldap_users').where('source_id', '=', row.id).executeTakeFirst();
    const groups = await trx.deleteFrom('ldap_groups').where('source_id', '=', row.id).executeTakeFirst();
    await trx.deleteFrom('ldap_sources').where('id', '=', row.id).execute();
    const source = toSource(row);
    await record({
      actor: by.actor, action: 'directory.source.remove', target: `ldap:${row.id}`, requestId: by.requestId,
      before: source, after: { peopleReleased: Number(people.numDeletedRows), groupsReleased: Number(groups.numDeletedRows) },
    });
    return source;
  });
}
